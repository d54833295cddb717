package api

import (
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/coursework"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/rubrics"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// Changing and deleting a section's announcements and groups, and deleting
// assignments and rubrics, as the Teach pages do.

type deletedResponse struct {
	ID string `json:"id"`
	// Result: "deleted" (gone), or for an assignment with submissions or
	// grades "archived" (hidden everywhere; its submissions, grades and
	// their trail are kept).
	Result string `json:"result" doc:"deleted, or archived for an assignment that had submissions or grades (hidden everywhere; they are kept)"`
}

// UpdateAnnouncement changes an announcement of a section the teacher teaches.
func (s *Handlers) UpdateAnnouncement(c *kit.Call) {
	var req announcementRequest
	if !s.decode(c, &req) {
		return
	}
	var a *coursework.Announcement
	err := c.InTx(func(sc *db.Scope) (err error) {
		a, err = coursework.UpdateAnnouncement(c.R.Context(), sc, c.R.PathValue("id"), req.Title, req.Body)
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	kit.WriteJSON(c, http.StatusOK, a)
}

// DeleteAnnouncement deletes an announcement of a section the teacher teaches.
func (s *Handlers) DeleteAnnouncement(c *kit.Call) {
	s.answerDeleted(c, func(sc *db.Scope) (string, error) {
		return "deleted", coursework.DeleteAnnouncement(c.R.Context(), sc, c.R.PathValue("id"))
	})
}

// UpdateGroup renames a group or changes its weight.
func (s *Handlers) UpdateGroup(c *kit.Call) {
	var in coursework.GroupInput
	if !s.decode(c, &in) {
		return
	}
	var g *coursework.Group
	err := c.InTx(func(sc *db.Scope) (err error) {
		g, err = coursework.UpdateGroup(c.R.Context(), sc, c.R.PathValue("id"), in)
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	kit.WriteJSON(c, http.StatusOK, g)
}

// DeleteGroup deletes a group, first moving its assignments to the group
// named by ?moveTo= (required when it has any).
func (s *Handlers) DeleteGroup(c *kit.Call) {
	s.answerDeleted(c, func(sc *db.Scope) (string, error) {
		return "deleted", coursework.DeleteGroup(c.R.Context(), sc, c.R.PathValue("id"), c.R.URL.Query().Get("moveTo"))
	})
}

// DeleteAssignment deletes an assignment, or archives one with submissions
// or grades.
func (s *Handlers) DeleteAssignment(c *kit.Call) {
	s.answerDeleted(c, func(sc *db.Scope) (string, error) {
		r, err := coursework.DeleteAssignment(c.R.Context(), sc, c.R.PathValue("id"), c.ID)
		return string(r), err
	})
}

// DeleteRubric deletes an unused rubric the teacher owns.
func (s *Handlers) DeleteRubric(c *kit.Call) {
	s.answerDeleted(c, func(sc *db.Scope) (string, error) {
		return "deleted", rubrics.Delete(c.R.Context(), sc, c.R.PathValue("id"))
	})
}

func (s *Handlers) answerDeleted(c *kit.Call, del func(*db.Scope) (string, error)) {
	var result string
	err := c.InTx(func(sc *db.Scope) (err error) { result, err = del(sc); return err })
	if err != nil {
		s.apiFail(c, err)
		return
	}
	kit.WriteJSON(c, http.StatusOK, deletedResponse{ID: c.R.PathValue("id"), Result: result})
}
