package kit

import (
	"errors"
	"net/http"
	"net/url"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
)

type errorPage struct {
	Status  int
	Heading string
	Message string
	SignIn  bool
}

// RenderError shows a finished error page; API routes get problem+json.
func (s *Kit) RenderError(c *Call, status int, heading, message string) {
	if c.Route != nil && c.Route.API != nil {
		s.Problem(c, status, heading, message)
		return
	}
	s.RenderStatus(c, status, "error", heading, errorPage{Status: status, Heading: heading, Message: message})
}

// fail logs the cause with the request id and shows the user only that id.
func (s *Kit) Fail(c *Call, err error) {
	if errors.Is(err, db.ErrUnavailable) {
		s.Unavailable(c)
		return
	}
	if errors.Is(err, domain.ErrNotFound) {
		s.NotFound(c)
		return
	}
	if errors.Is(err, db.ErrForbidden) {
		s.Forbidden(c)
		return
	}
	s.Log.Error("Request failed", "request_id", c.ID, "route", c.Route.Pattern, "err", err)
	s.RenderError(c, http.StatusInternalServerError, "Something went wrong",
		"We could not finish this. Try again in a moment; if it keeps happening, give your school's IT team the request id below.")
}

// NotFound is the district's "page not found" (problem+json on the API).
func (s *Kit) NotFound(c *Call) {
	s.RenderError(c, http.StatusNotFound, "Page not found", "There is nothing here. Check the address, or go back to your home page.")
}

// Forbidden tells the user their role cannot open this.
func (s *Kit) Forbidden(c *Call) {
	s.RenderError(c, http.StatusForbidden, "Not for your role",
		"Your role cannot open this page. If you hold another role, switch to it from the menu; otherwise go back to your home page.")
}

// Unavailable says the district's data cannot be reached, and when to retry.
func (s *Kit) Unavailable(c *Call) {
	c.W.Header().Set("Retry-After", "30")
	s.RenderError(c, http.StatusServiceUnavailable, "This district is not available right now",
		"Bellwork cannot reach this district's data at the moment. Nothing is lost: try again in a few minutes.")
}

// NeedSignIn sends a browser to sign in and back, or answers 401.
func (s *Kit) NeedSignIn(c *Call) {
	if c.Route.API != nil {
		s.Problem(c, http.StatusUnauthorized, "Sign-in required", "Sign in first, then call the API with the session cookie.")
		return
	}
	if c.R.Method == http.MethodGet {
		http.Redirect(c.W, c.R, "/signin?next="+url.QueryEscape(c.R.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	s.RenderStatus(c, http.StatusUnauthorized, "error", "Please sign in",
		errorPage{Status: http.StatusUnauthorized, Heading: "Please sign in", Message: "Your session has ended. Sign in again to continue.", SignIn: true})
}
