package teach

import (
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/coursework"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/grading"
	"bellwork.dev/bellwork/apps/lms/internal/outcomes"
	"bellwork.dev/bellwork/apps/lms/internal/rubrics"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// assignmentForm is the create and edit form: the input, and the choices
// it offers (the teacher's sections, the section's groups, the rubrics).
type assignmentForm struct {
	ID           string // empty when creating
	Section      *classes.Section
	Input        coursework.AssignmentInput
	Sections     []classes.Section
	Groups       []coursework.Group
	Rubrics      []rubrics.Rubric
	Outcomes     []outcomes.Outcome
	OutcomeIDs   []string
	GradingTypes any
	Kinds        []string
	Zone         string
	Errors       validate.Errors
}

func (s *Handlers) loadForm(c *kit.Call, sc *db.Scope, sectionID string, f *assignmentForm) (err error) {
	ctx := c.R.Context()
	if f.Section, err = classes.GetSection(ctx, sc, sectionID); err != nil {
		return err
	}
	if f.Sections, err = classes.MySections(ctx, sc, classes.Teacher); err != nil {
		return err
	}
	if f.Groups, err = coursework.SectionGroups(ctx, sc, sectionID); err != nil {
		return err
	}
	if f.Rubrics, err = rubrics.List(ctx, sc); err != nil {
		return err
	}
	if f.Outcomes, err = outcomes.ForSection(ctx, sc, sectionID); err != nil {
		return err
	}
	f.GradingTypes, f.Kinds = coursework.GradingTypes, coursework.SubmissionKinds
	return sc.Tx.QueryRow(ctx, `SELECT time_zone FROM schools WHERE id = $1`, f.Section.SchoolID).Scan(&f.Zone)
}

// NewAssignment shows an empty assignment form for a section.
func (s *Handlers) NewAssignment(c *kit.Call) {
	f := &assignmentForm{Input: coursework.AssignmentInput{GradingType: string(coursework.Points), PointsPossible: "10",
		SectionIDs: []string{c.R.PathValue("id")}, SubmissionTypes: []string{"text", "file"}}}
	if err := c.InTx(func(sc *db.Scope) error { return s.loadForm(c, sc, c.R.PathValue("id"), f) }); err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "assignment_form", "New assignment", f)
}

func formInput(c *kit.Call) coursework.AssignmentInput {
	_ = c.R.ParseForm()
	f := c.R.PostForm
	return coursework.AssignmentInput{Title: f.Get("title"), Instructions: f.Get("instructions"), GradingType: f.Get("grading_type"),
		PointsPossible: f.Get("points_possible"), GroupID: f.Get("group_id"), RubricID: f.Get("rubric_id"),
		SectionIDs: f["section_ids"], SubmissionTypes: f["submission_types"], Due: f.Get("due"), Unlock: f.Get("unlock"),
		Lock: f.Get("lock"), OmitFromFinal: f.Get("omit_from_final") == "on", NeverDrop: f.Get("never_drop") == "on"}
}

// CreateAssignment saves a new, unpublished assignment and opens it.
func (s *Handlers) CreateAssignment(c *kit.Call) {
	in, outcomeIDs := formInput(c), c.R.PostForm["outcome_ids"]
	var a *coursework.Assignment
	err := c.InTx(func(sc *db.Scope) (err error) {
		if a, err = coursework.CreateAssignment(c.R.Context(), sc, in); err != nil {
			return err
		}
		if err = grading.SetNeverDrop(c.R.Context(), sc, a.ID, in.NeverDrop, c.ID); err != nil {
			return err
		}
		return outcomes.SetAssignmentOutcomes(c.R.Context(), sc, a.ID, outcomeIDs, c.ID)
	})
	if err != nil {
		s.formAgain(c, c.R.PathValue("id"), "", in, outcomeIDs, err)
		return
	}
	kit.Redirect(c, "/teach/assignments/"+a.ID, "assignment-created")
}

// EditAssignment shows an assignment's form.
func (s *Handlers) EditAssignment(c *kit.Call) {
	f := &assignmentForm{ID: c.R.PathValue("id")}
	err := c.InTx(func(sc *db.Scope) error {
		a, err := coursework.GetAssignment(c.R.Context(), sc, f.ID)
		if err != nil {
			return err
		}
		f.Input = coursework.InputOf(a)
		if f.OutcomeIDs, err = outcomes.AssignmentOutcomes(c.R.Context(), sc, a.ID); err != nil {
			return err
		}
		return s.loadForm(c, sc, a.SectionIDs[0], f)
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "assignment_form", "Edit "+f.Input.Title, f)
}

// UpdateAssignment saves the edit form.
func (s *Handlers) UpdateAssignment(c *kit.Call) {
	id, in := c.R.PathValue("id"), formInput(c)
	outcomeIDs := c.R.PostForm["outcome_ids"]
	var home string
	err := c.InTx(func(sc *db.Scope) error {
		a, err := coursework.GetAssignment(c.R.Context(), sc, id)
		if err != nil {
			return err
		}
		home = a.SectionIDs[0]
		if _, err = coursework.UpdateAssignment(c.R.Context(), sc, id, in); err != nil {
			return err
		}
		if err = grading.SetNeverDrop(c.R.Context(), sc, id, in.NeverDrop, c.ID); err != nil {
			return err
		}
		return outcomes.SetAssignmentOutcomes(c.R.Context(), sc, id, outcomeIDs, c.ID)
	})
	if err != nil {
		s.formAgain(c, home, id, in, outcomeIDs, err)
		return
	}
	kit.Redirect(c, "/teach/assignments/"+id, "assignment-saved")
}

// formAgain shows the form with what is wrong (422), or fails.
func (s *Handlers) formAgain(c *kit.Call, sectionID, id string, in coursework.AssignmentInput, outcomeIDs []string, err error) {
	ve, invalid := validate.As(err)
	if !invalid || sectionID == "" {
		s.Fail(c, err)
		return
	}
	f := &assignmentForm{ID: id, Input: in, OutcomeIDs: outcomeIDs, Errors: ve}
	if err := c.InTx(func(sc *db.Scope) error { return s.loadForm(c, sc, sectionID, f) }); err != nil {
		s.Fail(c, err)
		return
	}
	s.RenderStatus(c, http.StatusUnprocessableEntity, "assignment_form", "Assignment", f)
}
