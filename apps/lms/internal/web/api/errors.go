package api

import (
	"errors"
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// apiFail maps domain errors to problem documents; causes are logged, not
// sent. Invalid input answers 422 with each field's message, the same
// messages the HTML forms show.
func (s *Handlers) apiFail(c *kit.Call, err error) {
	if ve, ok := validate.As(err); ok {
		s.Invalid(c, ve)
		return
	}
	switch {
	case errors.Is(err, domain.ErrNotFound):
		s.Problem(c, http.StatusNotFound, "Not found", "There is no such object, or your role cannot see it.")
	case errors.Is(err, db.ErrForbidden):
		s.Problem(c, http.StatusForbidden, "Forbidden", "Your role cannot do this.")
	case errors.Is(err, db.ErrUnavailable):
		s.Problem(c, http.StatusServiceUnavailable, "District Unavailable", "This district's data cannot be reached right now; retry later.")
	default:
		s.Log.Error("API request failed", "request_id", c.ID, "route", c.Route.Pattern, "err", err)
		s.Problem(c, http.StatusInternalServerError, "Internal error", "The request failed; quote the request id when reporting it.")
	}
}
