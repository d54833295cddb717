package api

import (
	"net/http"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/coursework"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/grading"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// UpdateAssignment saves a teacher's changes to an assignment: the whole
// input, as the edit form sends it.
func (s *Handlers) UpdateAssignment(c *kit.Call) {
	var in coursework.AssignmentInput
	if !s.decode(c, &in) {
		return
	}
	var a *coursework.Assignment
	err := c.InTx(func(sc *db.Scope) (err error) {
		id := c.R.PathValue("id")
		if _, err = coursework.UpdateAssignment(c.R.Context(), sc, id, in); err != nil {
			return err
		}
		if err = grading.SetNeverDrop(c.R.Context(), sc, id, in.NeverDrop, c.ID); err != nil {
			return err
		}
		a, err = coursework.GetAssignment(c.R.Context(), sc, id)
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	kit.WriteJSON(c, http.StatusOK, a)
}

// dueDates is an assignment's due date and its overrides.
type dueDates struct {
	DueAt    *time.Time           `json:"dueAt,omitempty" doc:"The assignment's own due date"`
	Sections map[string]time.Time `json:"sections" doc:"Section id → that section's due date"`
	Students map[string]time.Time `json:"students" doc:"Student id → that student's due date (wins over their section's)"`
	TimeZone string               `json:"timeZone" doc:"The school's time zone, in which due values are read"`
}

// overrideRequest gives one section or one student its own due date.
type overrideRequest struct {
	SectionID string `json:"sectionId,omitempty" doc:"Set exactly one of sectionId and studentId"`
	StudentID string `json:"studentId,omitempty"`
	Due       string `json:"due" doc:"Wall-clock time in the school's time zone (2026-12-01T23:59, or a date for 23:59 that day); empty removes the override"`
}

// DueDates reads an assignment's due date and overrides.
func (s *Handlers) DueDates(c *kit.Call) {
	s.answerDueDates(c, nil)
}

// SetDueOverride sets or removes one section's or student's due date and
// answers the assignment's due dates.
func (s *Handlers) SetDueOverride(c *kit.Call) {
	var req overrideRequest
	if !s.decode(c, &req) {
		return
	}
	s.answerDueDates(c, func(sc *db.Scope) error {
		return coursework.SetDueOverride(c.R.Context(), sc, c.R.PathValue("id"), req.SectionID, req.StudentID, req.Due)
	})
}

func (s *Handlers) answerDueDates(c *kit.Call, change func(*db.Scope) error) {
	var out dueDates
	err := c.InTx(func(sc *db.Scope) error {
		if change != nil {
			if err := change(sc); err != nil {
				return err
			}
		}
		a, err := coursework.GetAssignment(c.R.Context(), sc, c.R.PathValue("id"))
		if err != nil {
			return err
		}
		d, err := coursework.DueDates(c.R.Context(), sc, a)
		out = dueDates{DueAt: d.Default, Sections: d.BySection, Students: d.ByStudent, TimeZone: a.TimeZone}
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	kit.WriteJSON(c, http.StatusOK, out)
}
