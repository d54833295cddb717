package api

import (
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/rubrics"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// Rubrics through the API: a teacher lists the rubrics of their school
// (to reuse one on an assignment), builds and changes their own; anyone who
// sees an assignment reads its rubric.

type rubricList struct {
	Items []rubrics.Rubric `json:"items"`
}

// Rubrics lists the rubrics the teacher may use: their own and their school's.
func (s *Handlers) Rubrics(c *kit.Call) {
	out := rubricList{Items: []rubrics.Rubric{}}
	err := c.InTx(func(sc *db.Scope) error {
		list, err := rubrics.List(c.R.Context(), sc)
		if list != nil {
			out.Items = list
		}
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	kit.WriteJSON(c, http.StatusOK, out)
}

// Rubric is one rubric the caller may see.
func (s *Handlers) Rubric(c *kit.Call) {
	s.answerRubric(c, http.StatusOK, func(sc *db.Scope) (*rubrics.Rubric, error) {
		return rubrics.Get(c.R.Context(), sc, c.R.PathValue("id"))
	})
}

// CreateRubric builds a rubric owned by the calling teacher.
func (s *Handlers) CreateRubric(c *kit.Call) {
	var in rubrics.Input
	if !s.decode(c, &in) {
		return
	}
	s.answerRubric(c, http.StatusCreated, func(sc *db.Scope) (*rubrics.Rubric, error) {
		return rubrics.Create(c.R.Context(), sc, in)
	})
}

// UpdateRubric changes a rubric the calling teacher owns.
func (s *Handlers) UpdateRubric(c *kit.Call) {
	var in rubrics.Input
	if !s.decode(c, &in) {
		return
	}
	s.answerRubric(c, http.StatusOK, func(sc *db.Scope) (*rubrics.Rubric, error) {
		return rubrics.Update(c.R.Context(), sc, c.R.PathValue("id"), in)
	})
}

func (s *Handlers) answerRubric(c *kit.Call, status int, fn func(*db.Scope) (*rubrics.Rubric, error)) {
	var r *rubrics.Rubric
	err := c.InTx(func(sc *db.Scope) (err error) { r, err = fn(sc); return err })
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if status == http.StatusCreated {
		c.W.Header().Set("Location", "/api/v1/rubrics/"+r.ID)
	}
	kit.WriteJSON(c, status, r)
}
