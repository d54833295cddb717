package api

import (
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/grading"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// Final-grade overrides through the API: the same grading.SetOverride and
// grading.ClearOverride as the page at /assess/sections/{id}/students/{student},
// so the database checks the teacher and appends every change, with its
// reason, to the override's history.

// finalGradeOverrideRequest sets a student's final-grade override.
type finalGradeOverrideRequest struct {
	Percent string `json:"percent,omitempty" doc:"The course grade as a percentage, 0 or more (\"91.5\"); give it, a letter, or both"`
	Letter  string `json:"letter,omitempty" doc:"A letter of the section's grading scheme"`
	Posted  bool   `json:"posted" doc:"true: the student and their guardians see the override; false: kept hidden from them"`
	Reason  string `json:"reason" doc:"Why the calculated grade is overridden (required, at most 500 characters); kept in the history"`
}

// finalGradeResponse is a student's grades with the override's history.
type finalGradeResponse struct {
	Report  grading.Report           `json:"report" doc:"The student's grades; override is present while one is set"`
	History []grading.OverrideChange `json:"history" doc:"Every change to the override, newest first: who, when, old, new and why"`
}

// FinalGrade is one student's grades and the override's history.
func (s *Handlers) FinalGrade(c *kit.Call) {
	s.answerFinalGrade(c, nil)
}

// SetFinalGradeOverride sets or replaces the student's final-grade override.
func (s *Handlers) SetFinalGradeOverride(c *kit.Call) {
	var req finalGradeOverrideRequest
	if !s.decode(c, &req) {
		return
	}
	in := grading.OverrideInput{Percent: req.Percent, Letter: req.Letter, Post: req.Posted, Reason: req.Reason}
	s.answerFinalGrade(c, func(sc *db.Scope, book *grading.Section, studentID string) error {
		return grading.SetOverride(c.R.Context(), sc, book, studentID, in)
	})
}

// ClearFinalGradeOverride removes the override; the calculated grade shows
// again. 404 when there is none.
func (s *Handlers) ClearFinalGradeOverride(c *kit.Call) {
	reason := c.R.URL.Query().Get("reason")
	s.answerFinalGrade(c, func(sc *db.Scope, book *grading.Section, studentID string) error {
		return grading.ClearOverride(c.R.Context(), sc, book.SectionID, studentID, reason)
	})
}

// answerFinalGrade applies change (if any) to a student the caller may see
// and answers the student's grades as they are after it.
func (s *Handlers) answerFinalGrade(c *kit.Call, change func(*db.Scope, *grading.Section, string) error) {
	var out finalGradeResponse
	err := c.InTx(func(sc *db.Scope) error {
		ctx, sectionID, studentID := c.R.Context(), c.R.PathValue("id"), c.R.PathValue("student")
		book, _, err := grading.ForStudent(ctx, sc, sectionID, studentID, s.Now())
		if err != nil {
			return err
		}
		if change != nil {
			if err := change(sc, book, studentID); err != nil {
				return err
			}
			if book, _, err = grading.ForStudent(ctx, sc, sectionID, studentID, s.Now()); err != nil {
				return err
			}
		}
		out.Report = book.Report(book.Student(studentID))
		out.History, err = grading.OverrideHistory(ctx, sc, sectionID, studentID)
		if out.History == nil {
			out.History = []grading.OverrideChange{}
		}
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	kit.WriteJSON(c, http.StatusOK, out)
}
