package api

import (
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// User serves GET /api/v1/users/{id}.
func (s *Handlers) User(c *kit.Call) {
	var u *people.User
	var ms []people.Membership
	err := c.InTx(func(sc *db.Scope) (err error) {
		if u, err = people.GetUser(c.R.Context(), sc, c.R.PathValue("id")); err != nil {
			return err
		}
		ms, err = people.ListMemberships(c.R.Context(), sc, u.ID)
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	kit.WriteJSON(c, http.StatusOK, userDetailResponse{User: u, Memberships: ms})
}

type userDetailResponse struct {
	User        *people.User        `json:"user"`
	Memberships []people.Membership `json:"memberships"`
}
