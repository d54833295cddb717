// Package validate is the one shape of "this input is wrong": a list of
// fields, each with a sentence telling a person what to fix. Domain
// packages return it as an error; the HTML forms show its messages and the
// JSON API sends it as problem+json with the same fields and messages, so a
// rule and its wording live in one place.
package validate

import (
	"errors"
	"strings"
)

// FieldError is one field's problem. Field is the name the JSON API uses
// for the input (givenName, schoolId); Message is a whole sentence.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Errors lists what is wrong with an input, in the order the fields appear.
type Errors []FieldError

// Add records a field's problem; a field keeps its first problem.
func (e *Errors) Add(field, message string) {
	if e.For(field) == "" {
		*e = append(*e, FieldError{Field: field, Message: message})
	}
}

// For is a field's message, or "".
func (e Errors) For(field string) string {
	for _, f := range e {
		if f.Field == field {
			return f.Message
		}
	}
	return ""
}

// Err is e as an error, or nil when nothing is wrong.
func (e Errors) Err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}

// Error joins the messages: what a form shows above itself.
func (e Errors) Error() string {
	msgs := make([]string, len(e))
	for i, f := range e {
		msgs[i] = f.Message
	}
	return strings.Join(msgs, " ")
}

// As finds validation errors in err.
func As(err error) (Errors, bool) {
	var e Errors
	ok := errors.As(err, &e)
	return e, ok
}

// Problem is a problem with the input as a whole (a rule about the record,
// not one field): the admin cannot deactivate themselves, say.
func Problem(message string) error { return Errors{{Message: message}} }
