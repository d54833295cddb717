package kit

import (
	"encoding/json"
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// invalid writes a 422 problem document listing each field's message.
func (s *Kit) Invalid(c *Call, ve validate.Errors) {
	s.invalidStatus(c, http.StatusUnprocessableEntity, "Invalid input", ve)
}

// InvalidQuery writes a 400 problem document for query parameters the
// endpoint does not accept, listing each parameter's message.
func (s *Kit) InvalidQuery(c *Call, ve validate.Errors) {
	s.invalidStatus(c, http.StatusBadRequest, "Invalid query parameters", ve)
}

func (s *Kit) invalidStatus(c *Call, status int, title string, ve validate.Errors) {
	c.W.Header().Set("Content-Type", "application/problem+json")
	c.W.Header().Set("Cache-Control", "no-store")
	c.W.WriteHeader(status)
	_ = json.NewEncoder(c.W).Encode(ProblemDetails{Type: "about:blank", Title: title, Status: status,
		Detail: ve.Error(), Errors: ve, RequestID: c.ID})
}
