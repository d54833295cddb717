package web

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

// renderError shows a finished error page; API routes get problem+json.
func (s *Server) renderError(c *call, status int, heading, message string) {
	if c.route != nil && c.route.api != nil {
		s.problem(c, status, heading, message)
		return
	}
	s.renderStatus(c, status, "error", heading, errorPage{Status: status, Heading: heading, Message: message})
}

// fail logs the cause with the request id and shows the user only that id.
func (s *Server) fail(c *call, err error) {
	if errors.Is(err, db.ErrUnavailable) {
		s.unavailable(c)
		return
	}
	if errors.Is(err, domain.ErrNotFound) {
		s.notFound(c)
		return
	}
	if errors.Is(err, db.ErrForbidden) {
		s.forbidden(c)
		return
	}
	s.Log.Error("Request failed", "request_id", c.id, "route", c.route.Pattern, "err", err)
	s.renderError(c, http.StatusInternalServerError, "Something went wrong",
		"We could not finish this. Try again in a moment; if it keeps happening, give your school's IT team the request id below.")
}

func (s *Server) notFound(c *call) {
	s.renderError(c, http.StatusNotFound, "Page not found", "There is nothing here. Check the address, or go back to your home page.")
}

func (s *Server) forbidden(c *call) {
	s.renderError(c, http.StatusForbidden, "Not for your role",
		"Your role cannot open this page. If you hold another role, switch to it from the menu; otherwise go back to your home page.")
}

func (s *Server) unavailable(c *call) {
	c.w.Header().Set("Retry-After", "30")
	s.renderError(c, http.StatusServiceUnavailable, "This district is not available right now",
		"Bellwork cannot reach this district's data at the moment. Nothing is lost: try again in a few minutes.")
}

func (s *Server) needSignIn(c *call) {
	if c.route.api != nil {
		s.problem(c, http.StatusUnauthorized, "Sign-in required", "Sign in first, then call the API with the session cookie.")
		return
	}
	if c.r.Method == http.MethodGet {
		http.Redirect(c.w, c.r, "/signin?next="+url.QueryEscape(c.r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	s.renderStatus(c, http.StatusUnauthorized, "error", "Please sign in",
		errorPage{Status: http.StatusUnauthorized, Heading: "Please sign in", Message: "Your session has ended. Sign in again to continue.", SignIn: true})
}
