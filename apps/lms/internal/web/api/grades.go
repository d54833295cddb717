package api

import (
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/grading"
	"bellwork.dev/bellwork/apps/lms/internal/outcomes"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// Grades through the API, computed by grading (and so by grading/calc) as
// the caller may see them: teachers and admins every student of the
// section, a student themselves, a guardian their linked children, and
// students and guardians only posted grades.

type gradeReports struct {
	SectionID string `json:"sectionId"`
	// Outcomes are the standards the section measures, in the order of
	// each item's mastery.
	Outcomes []outcomes.Outcome `json:"outcomes"`
	Items    []grading.Report   `json:"items"`
}

// SectionGrades is the course grades of every student of a section the
// caller may see.
func (s *Handlers) SectionGrades(c *kit.Call) {
	var sec *grading.Section
	err := c.InTx(func(sc *db.Scope) (err error) {
		sec, err = grading.ForSection(c.R.Context(), sc, c.R.PathValue("id"), s.Now())
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	out := gradeReports{SectionID: sec.SectionID, Outcomes: sec.Outcomes, Items: []grading.Report{}}
	if out.Outcomes == nil {
		out.Outcomes = []outcomes.Outcome{}
	}
	for i := range sec.Students {
		out.Items = append(out.Items, sec.Report(&sec.Students[i]))
	}
	kit.WriteJSON(c, http.StatusOK, out)
}

// StudentGrades is one student's grades in a section.
func (s *Handlers) StudentGrades(c *kit.Call) {
	var sec *grading.Section
	var st *grading.StudentGrades
	err := c.InTx(func(sc *db.Scope) (err error) {
		sec, st, err = grading.ForStudent(c.R.Context(), sc, c.R.PathValue("id"), c.R.PathValue("student"), s.Now())
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	kit.WriteJSON(c, http.StatusOK, sec.Report(st))
}
