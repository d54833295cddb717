package web

import (
	"encoding/json"
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// invalid writes a 422 problem document listing each field's message.
func (s *Server) invalid(c *call, ve validate.Errors) {
	s.invalidStatus(c, http.StatusUnprocessableEntity, "Invalid input", ve)
}

// invalidQuery writes a 400 problem document for query parameters the
// endpoint does not accept, listing each parameter's message.
func (s *Server) invalidQuery(c *call, ve validate.Errors) {
	s.invalidStatus(c, http.StatusBadRequest, "Invalid query parameters", ve)
}

func (s *Server) invalidStatus(c *call, status int, title string, ve validate.Errors) {
	c.w.Header().Set("Content-Type", "application/problem+json")
	c.w.Header().Set("Cache-Control", "no-store")
	c.w.WriteHeader(status)
	_ = json.NewEncoder(c.w).Encode(problemDetails{Type: "about:blank", Title: title, Status: status,
		Detail: ve.Error(), Errors: ve, RequestID: c.id})
}
