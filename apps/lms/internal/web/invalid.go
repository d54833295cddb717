package web

import (
	"encoding/json"
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// invalid writes a 422 problem document listing each field's message
// (RFC 9457 extension member "errors").
func (s *Server) invalid(c *call, ve validate.Errors) {
	c.w.Header().Set("Content-Type", "application/problem+json")
	c.w.Header().Set("Cache-Control", "no-store")
	c.w.WriteHeader(http.StatusUnprocessableEntity)
	_ = json.NewEncoder(c.w).Encode(map[string]any{
		"type": "about:blank", "title": "Invalid input", "status": http.StatusUnprocessableEntity,
		"detail": ve.Error(), "errors": ve, "requestId": c.id,
	})
}
