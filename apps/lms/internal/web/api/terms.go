package api

import (
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// Terms serves GET /api/v1/terms.
func (s *Handlers) Terms(c *kit.Call) {
	var terms []classes.Term
	err := c.InTx(func(sc *db.Scope) (err error) {
		terms, err = classes.ListTerms(c.R.Context(), sc, c.Actor().SchoolID)
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if terms == nil {
		terms = []classes.Term{}
	}
	kit.WriteJSON(c, http.StatusOK, termList{Items: terms})
}

type termList struct {
	Items []classes.Term `json:"items"`
}
