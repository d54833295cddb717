package assess

import (
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/grading"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// finalGradePage is one student's course grade in a section: the
// calculated grades, the override form, and the override's history.
type finalGradePage struct {
	Section *classes.Section
	Book    *grading.Section
	Report  grading.Report
	History []grading.OverrideChange
	Input   grading.OverrideInput
	Errors  validate.Errors
}

func (s *Handlers) loadFinalGrade(c *kit.Call, sc *db.Scope, d *finalGradePage) (err error) {
	ctx := c.R.Context()
	if d.Section, err = classes.GetSection(ctx, sc, c.R.PathValue("id")); err != nil {
		return err
	}
	var st *grading.StudentGrades
	if d.Book, st, err = grading.ForStudent(ctx, sc, d.Section.ID, c.R.PathValue("student"), s.Now()); err != nil {
		return err
	}
	d.Report = d.Book.Report(st)
	d.History, err = grading.OverrideHistory(ctx, sc, d.Section.ID, st.StudentID)
	return err
}

// FinalGrade shows a student's course grade with the override form and
// every change to the override (who, when, old, new, why).
func (s *Handlers) FinalGrade(c *kit.Call) {
	d := &finalGradePage{}
	if err := c.InTx(func(sc *db.Scope) error { return s.loadFinalGrade(c, sc, d) }); err != nil {
		s.Fail(c, err)
		return
	}
	if o := d.Report.Override; o != nil {
		// A letter-only override shows its letter; otherwise the letter
		// is the scheme's for the percentage, not something to re-save.
		d.Input.Percent = deref(o.Percent)
		if o.Percent == nil {
			d.Input.Letter = o.Letter
		}
	}
	d.Input.Post = true
	s.Render(c, "final_grade", "Final grade · "+d.Report.Name, d)
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// OverrideFinalGrade sets the student's final-grade override.
func (s *Handlers) OverrideFinalGrade(c *kit.Call) {
	f := c.R.PostFormValue
	d := &finalGradePage{Input: grading.OverrideInput{Percent: f("percent"), Letter: f("letter"), Post: f("post") == "on", Reason: f("reason")}}
	var student string
	err := c.InTx(func(sc *db.Scope) error {
		if err := s.loadFinalGrade(c, sc, d); err != nil {
			return err
		}
		student = d.Report.StudentID
		return grading.SetOverride(c.R.Context(), sc, d.Book, student, d.Input)
	})
	if ve, ok := validate.As(err); ok {
		d.Errors = ve
		s.RenderStatus(c, http.StatusUnprocessableEntity, "final_grade", "Final grade · "+d.Report.Name, d)
		return
	}
	if err != nil {
		s.Fail(c, err)
		return
	}
	kit.Redirect(c, "/assess/sections/"+d.Section.ID+"/students/"+student, "final-grade-overridden")
}

// ClearFinalGrade removes the override: the calculated grade shows again.
func (s *Handlers) ClearFinalGrade(c *kit.Call) {
	d := &finalGradePage{}
	err := c.InTx(func(sc *db.Scope) error {
		if err := s.loadFinalGrade(c, sc, d); err != nil {
			return err
		}
		return grading.ClearOverride(c.R.Context(), sc, d.Section.ID, d.Report.StudentID, c.R.PostFormValue("reason"))
	})
	if ve, ok := validate.As(err); ok {
		d.Errors = ve
		s.RenderStatus(c, http.StatusUnprocessableEntity, "final_grade", "Final grade · "+d.Report.Name, d)
		return
	}
	if err != nil {
		s.Fail(c, err)
		return
	}
	kit.Redirect(c, "/assess/sections/"+d.Section.ID+"/students/"+d.Report.StudentID, "final-grade-cleared")
}
