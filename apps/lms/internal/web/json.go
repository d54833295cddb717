package web

import (
	"encoding/json"

	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// writeJSON writes v as JSON.
func writeJSON(c *call, status int, v any) {
	c.w.Header().Set("Content-Type", "application/json")
	c.w.Header().Set("Cache-Control", "no-store")
	c.w.WriteHeader(status)
	enc := json.NewEncoder(c.w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// problemDetails is an RFC 9457 problem document, the body of every API error.
type problemDetails struct {
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
func (s *Server) problem(c *call, status int, title, detail string) {
	c.w.Header().Set("Content-Type", "application/problem+json")
	c.w.Header().Set("Cache-Control", "no-store")
	c.w.WriteHeader(status)
	_ = json.NewEncoder(c.w).Encode(problemDetails{Type: "about:blank", Title: title, Status: status, Detail: detail, RequestID: c.id})
}
