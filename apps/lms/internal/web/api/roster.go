package api

import (
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// Roster serves GET /api/v1/sections/{id}/roster.
func (s *Handlers) Roster(c *kit.Call) {
	var roster []classes.RosterEntry
	err := c.InTx(func(sc *db.Scope) error {
		sec, err := classes.GetSection(c.R.Context(), sc, c.R.PathValue("id"))
		if err != nil {
			return err
		}
		roster, err = classes.Roster(c.R.Context(), sc, sec.ID)
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if roster == nil {
		roster = []classes.RosterEntry{}
	}
	kit.WriteJSON(c, http.StatusOK, rosterList{Items: roster})
}

type rosterList struct {
	Items []classes.RosterEntry `json:"items"`
}
