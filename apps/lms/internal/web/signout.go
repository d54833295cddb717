package web

import (
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/audit"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
)

func (s *Server) signout(c *call) {
	err := c.asSystem(func(sc *db.Scope) error {
		return identity.DeleteSession(c.r.Context(), sc, c.session.IDSHA256)
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	endSessionCookie(c)
	http.Redirect(c.w, c.r, "/signin", http.StatusSeeOther)
}

// signoutEverywhere ends every session of the user, this one included.
func (s *Server) signoutEverywhere(c *call) {
	err := c.asSystem(func(sc *db.Scope) error {
		if _, err := identity.DeleteUserSessions(c.r.Context(), sc, c.user.ID); err != nil {
			return err
		}
		return audit.Audit(c.r.Context(), sc, "signout.everywhere", c.user.Email, nil, c.id)
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	endSessionCookie(c)
	http.Redirect(c.w, c.r, "/signin", http.StatusSeeOther)
}

// switchRole makes the session act in another of the user's memberships.
func (s *Server) switchRole(c *call) {
	id := c.r.PostFormValue("membership")
	for _, m := range c.memberships {
		if m.ID != id {
			continue
		}
		err := c.asSystem(func(sc *db.Scope) error {
			return identity.SwitchSessionRole(c.r.Context(), sc, c.session.IDSHA256, m.Role, m.SchoolID)
		})
		if err != nil {
			s.fail(c, err)
			return
		}
		redirect(c, "/", "role-switched")
		return
	}
	s.renderError(c, http.StatusBadRequest, "Unknown role", "That role is not one of yours. Go back and pick one from the list.")
}
