package validate

import (
	"fmt"
	"testing"
)

// A field keeps its first problem, the form's summary lists every field in
// order, and the value survives wrapping on its way to a handler.
func TestErrorsKeepFirstProblemPerFieldAndSurviveWrapping(t *testing.T) {
	var e Errors
	if e.Err() != nil {
		t.Fatal("no problems must be a nil error")
	}
	e.Add("email", "Enter a valid e-mail address.")
	e.Add("email", "A second problem with the e-mail.")
	e.Add("role", "Choose a role from the list.")
	if got := e.Error(); got != "Enter a valid e-mail address. Choose a role from the list." {
		t.Fatalf("summary: %q", got)
	}
	got, ok := As(fmt.Errorf("create user: %w", e.Err()))
	if !ok || len(got) != 2 || got.For("role") != "Choose a role from the list." || got.For("school") != "" {
		t.Fatalf("unwrapped: %v %v", got, ok)
	}
}
