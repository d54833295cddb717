package api

import (
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

type usersResponse struct {
	Items []people.User `json:"items"`
	Total int           `json:"total"`
}

// Users serves GET /api/v1/users.
func (s *Handlers) Users(c *kit.Call) {
	uq, err := people.UserQueryFrom(c.R.URL.Query())
	if ve, ok := validate.As(err); ok {
		s.InvalidQuery(c, ve)
		return
	}
	var res usersResponse
	err = c.InTx(func(sc *db.Scope) (err error) {
		res.Items, res.Total, err = people.ListUsers(c.R.Context(), sc, uq)
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if res.Items == nil {
		res.Items = []people.User{}
	}
	kit.WriteJSON(c, http.StatusOK, res)
}
