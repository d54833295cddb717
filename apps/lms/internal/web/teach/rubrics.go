package teach

import (
	"net/http"
	"strconv"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/outcomes"
	"bellwork.dev/bellwork/apps/lms/internal/rubrics"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

type rubricsPage struct{ Rubrics []rubrics.Rubric }

type rubricForm struct {
	// Outcomes are those a criterion may measure: the district's and those
	// of the teacher's sections.
	Outcomes []outcomes.Outcome
	ID       string
	Owned    bool
	Rubric   *rubrics.Rubric
	Input    rubrics.Input
	Errors   validate.Errors
}

// Rubrics lists the rubrics a teacher may reuse: their own and their school's.
func (s *Handlers) Rubrics(c *kit.Call) {
	var d rubricsPage
	if err := c.InTx(func(sc *db.Scope) (err error) { d.Rubrics, err = rubrics.List(c.R.Context(), sc); return err }); err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "rubrics", "Rubrics", d)
}

// NewRubric shows the rubric builder, empty.
func (s *Handlers) NewRubric(c *kit.Call) {
	d := rubricForm{Owned: true, Input: rubrics.Input{}.WithBlanks(3)}
	if err := s.withOutcomes(c, &d); err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "rubric_form", "New rubric", d)
}

// withOutcomes adds the outcomes a criterion may measure to the form.
func (s *Handlers) withOutcomes(c *kit.Call, d *rubricForm) error {
	return c.InTx(func(sc *db.Scope) (err error) { d.Outcomes, err = outcomes.Visible(c.R.Context(), sc); return err })
}

func rubricInput(c *kit.Call) rubrics.Input {
	_ = c.R.ParseForm()
	f := c.R.PostForm
	in := rubrics.Input{Title: f.Get("title")}
	for i := 0; i < 20; i++ {
		n := strconv.Itoa(i)
		if _, ok := f["criterion_"+n]; !ok {
			break
		}
		in.Criteria = append(in.Criteria, rubrics.InputCriterion{Title: f.Get("criterion_" + n),
			Description: f.Get("description_" + n), Levels: f.Get("levels_" + n), OutcomeID: f.Get("outcome_" + n)})
	}
	return in
}

// CreateRubric saves a new rubric.
func (s *Handlers) CreateRubric(c *kit.Call) {
	in := rubricInput(c)
	var r *rubrics.Rubric
	err := c.InTx(func(sc *db.Scope) (err error) { r, err = rubrics.Create(c.R.Context(), sc, in); return err })
	if ve, ok := validate.As(err); ok {
		d := rubricForm{Owned: true, Input: in.WithBlanks(1), Errors: ve}
		if err := s.withOutcomes(c, &d); err != nil {
			s.Fail(c, err)
			return
		}
		s.RenderStatus(c, http.StatusUnprocessableEntity, "rubric_form", "New rubric", d)
		return
	}
	if err != nil {
		s.Fail(c, err)
		return
	}
	kit.Redirect(c, "/teach/rubrics/"+r.ID, "rubric-saved")
}

// Rubric shows a rubric: the builder for its owner, read-only for others.
func (s *Handlers) Rubric(c *kit.Call) {
	var d rubricForm
	err := c.InTx(func(sc *db.Scope) (err error) {
		if d.Rubric, err = rubrics.Get(c.R.Context(), sc, c.R.PathValue("id")); err != nil {
			return err
		}
		d.Outcomes, err = outcomes.Visible(c.R.Context(), sc)
		return err
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	d.ID, d.Owned, d.Input = d.Rubric.ID, d.Rubric.OwnerID == c.User.ID, rubrics.InputOf(d.Rubric)
	s.Render(c, "rubric_form", d.Rubric.Title, d)
}

// UpdateRubric saves the owner's changes.
func (s *Handlers) UpdateRubric(c *kit.Call) {
	id, in := c.R.PathValue("id"), rubricInput(c)
	err := c.InTx(func(sc *db.Scope) error { _, err := rubrics.Update(c.R.Context(), sc, id, in); return err })
	if ve, ok := validate.As(err); ok {
		d := rubricForm{ID: id, Owned: true, Input: in.WithBlanks(1), Errors: ve}
		if err := s.withOutcomes(c, &d); err != nil {
			s.Fail(c, err)
			return
		}
		s.RenderStatus(c, http.StatusUnprocessableEntity, "rubric_form", "Rubric", d)
		return
	}
	if err != nil {
		s.Fail(c, err)
		return
	}
	kit.Redirect(c, "/teach/rubrics/"+id, "rubric-saved")
}
