package kit

import (
	"encoding/json"

	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// WriteJSON writes v as compact JSON: indenting a section's grades (40
// students × 100 assignments) took a third of the request's CPU.
func WriteJSON(c *Call, status int, v any) {
	c.W.Header().Set("Content-Type", "application/json")
	c.W.Header().Set("Cache-Control", "no-store")
	c.W.WriteHeader(status)
	_ = json.NewEncoder(c.W).Encode(v)
}

// ProblemDetails is an RFC 9457 problem document, the body of every API error.
type ProblemDetails struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail"`
	RequestID string `json:"requestId"`
	// Errors names each invalid field of a 422 answer, with the sentence
	// the HTML form shows for it.
	Errors validate.Errors `json:"errors,omitempty"`
}

// problem writes an RFC 9457 problem document.
func (s *Kit) Problem(c *Call, status int, title, detail string) {
	c.W.Header().Set("Content-Type", "application/problem+json")
	c.W.Header().Set("Cache-Control", "no-store")
	c.W.WriteHeader(status)
	_ = json.NewEncoder(c.W).Encode(ProblemDetails{Type: "about:blank", Title: title, Status: status, Detail: detail, RequestID: c.ID})
}
