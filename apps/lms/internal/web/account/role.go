package account

import (
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// SwitchRole makes the session act in another of the user's memberships.
func (s *Handlers) SwitchRole(c *kit.Call) {
	id := c.R.PostFormValue("membership")
	for _, m := range c.Memberships {
		if m.ID != id {
			continue
		}
		err := c.AsSystem(func(sc *db.Scope) error {
			return identity.SwitchSessionRole(c.R.Context(), sc, c.Session.IDSHA256, m.Role, m.SchoolID)
		})
		if err != nil {
			s.Fail(c, err)
			return
		}
		kit.Redirect(c, "/", "role-switched")
		return
	}
	s.RenderError(c, http.StatusBadRequest, "Unknown role", "That role is not one of yours. Go back and pick one from the list.")
}
