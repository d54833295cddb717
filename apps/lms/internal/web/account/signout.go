package account

import (
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/audit"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// Signout serves POST /signout.
func (s *Handlers) Signout(c *kit.Call) {
	err := c.AsSystem(func(sc *db.Scope) error {
		return identity.DeleteSession(c.R.Context(), sc, c.Session.IDSHA256)
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	kit.EndSessionCookie(c)
	http.Redirect(c.W, c.R, "/signin", http.StatusSeeOther)
}

// SignoutEverywhere ends every session of the user, this one included.
func (s *Handlers) SignoutEverywhere(c *kit.Call) {
	err := c.AsSystem(func(sc *db.Scope) error {
		if _, err := identity.DeleteUserSessions(c.R.Context(), sc, c.User.ID); err != nil {
			return err
		}
		return audit.Audit(c.R.Context(), sc, "signout.everywhere", c.User.Email, nil, c.ID)
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	kit.EndSessionCookie(c)
	http.Redirect(c.W, c.R, "/signin", http.StatusSeeOther)
}
