package web

import (
	"encoding/json"
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// invalid writes a 422 problem document listing each field's message.
func (s *Server) invalid(c *call, ve validate.Errors) {
	c.w.Header().Set("Content-Type", "application/problem+json")
	c.w.Header().Set("Cache-Control", "no-store")
	c.w.WriteHeader(http.StatusUnprocessableEntity)
	_ = json.NewEncoder(c.w).Encode(problemDetails{Type: "about:blank", Title: "Invalid input", Status: http.StatusUnprocessableEntity,
		Detail: ve.Error(), Errors: ve, RequestID: c.id})
}
