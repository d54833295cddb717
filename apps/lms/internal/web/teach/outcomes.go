package teach

import (
	"net/http"
	"strconv"

	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/outcomes"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// outcomesPage lists a section's outcomes (the district's and its own)
// with the form to add one, or edits one of the section's.
type outcomesPage struct {
	Section  *classes.Section
	Outcomes []outcomes.Outcome
	Outcome  *outcomes.Outcome // the one edited; nil when adding
	Input    outcomes.Input
	Methods  []outcomes.MethodChoice
	Errors   validate.Errors
	// Trail is one page of the edited outcome's history, newest first.
	Trail     []outcomes.TrailEntry
	NextTrail int64
	Paged     bool
}

func (s *Handlers) loadOutcomes(c *kit.Call, sc *db.Scope, sectionID string, d *outcomesPage) (err error) {
	if d.Section, err = classes.GetSection(c.R.Context(), sc, sectionID); err != nil {
		return err
	}
	d.Outcomes, err = outcomes.ForSection(c.R.Context(), sc, d.Section.ID)
	d.Methods = outcomes.Methods
	return err
}

// SectionOutcomes shows a section's outcomes and the form to add one.
func (s *Handlers) SectionOutcomes(c *kit.Call) {
	d := &outcomesPage{Input: outcomes.NewInput()}
	if err := c.InTx(func(sc *db.Scope) error { return s.loadOutcomes(c, sc, c.R.PathValue("id"), d) }); err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "outcomes", "Outcomes · "+d.Section.Title, d)
}

func outcomeInput(c *kit.Call) outcomes.Input {
	f := c.R.PostFormValue
	return outcomes.Input{Title: f("title"), Description: f("description"), Scale: f("scale"), MasteryPoints: f("mastery_points"),
		Method: f("method"), CalculationInt: f("calculation_int"), Reason: f("reason")}
}

// CreateOutcome adds an outcome to the section.
func (s *Handlers) CreateOutcome(c *kit.Call) {
	d := &outcomesPage{Input: outcomeInput(c)}
	err := c.InTx(func(sc *db.Scope) error {
		if err := s.loadOutcomes(c, sc, c.R.PathValue("id"), d); err != nil {
			return err
		}
		_, err := outcomes.Create(c.R.Context(), sc, d.Section.ID, d.Input)
		return err
	})
	if ve, ok := validate.As(err); ok {
		d.Errors = ve
		s.RenderStatus(c, http.StatusUnprocessableEntity, "outcomes", "Outcomes · "+d.Section.Title, d)
		return
	}
	if err != nil {
		s.Fail(c, err)
		return
	}
	kit.Redirect(c, "/teach/sections/"+d.Section.ID+"/outcomes", "outcome-saved")
}

// loadOutcome reads one of a section's outcomes for editing; district
// outcomes are not the teacher's to change, so they read as not found.
func (s *Handlers) loadOutcome(c *kit.Call, sc *db.Scope, d *outcomesPage) error {
	o, err := outcomes.Get(c.R.Context(), sc, c.R.PathValue("id"))
	if err != nil {
		return err
	}
	if o.SectionID == nil {
		return db.ErrForbidden
	}
	d.Outcome = o
	if err := s.loadOutcomes(c, sc, *o.SectionID, d); err != nil {
		return err
	}
	before, _ := strconv.ParseInt(c.R.URL.Query().Get("before"), 10, 64)
	d.Paged = before > 0
	d.Trail, d.NextTrail, err = outcomes.Trail(c.R.Context(), sc, o.ID, before)
	return err
}

// Outcome shows the form to change one of a section's outcomes.
func (s *Handlers) Outcome(c *kit.Call) {
	d := &outcomesPage{}
	if err := c.InTx(func(sc *db.Scope) error { return s.loadOutcome(c, sc, d) }); err != nil {
		s.Fail(c, err)
		return
	}
	d.Input = outcomes.InputOf(d.Outcome)
	s.Render(c, "outcomes", d.Outcome.Title, d)
}

// UpdateOutcome saves changes to one of a section's outcomes; the database
// keeps the old and new definition, with the reason, in outcome_audit.
func (s *Handlers) UpdateOutcome(c *kit.Call) {
	d := &outcomesPage{Input: outcomeInput(c)}
	err := c.InTx(func(sc *db.Scope) error {
		if err := s.loadOutcome(c, sc, d); err != nil {
			return err
		}
		_, err := outcomes.Update(c.R.Context(), sc, d.Outcome.ID, d.Input)
		return err
	})
	if ve, ok := validate.As(err); ok {
		d.Errors = ve
		s.RenderStatus(c, http.StatusUnprocessableEntity, "outcomes", d.Outcome.Title, d)
		return
	}
	if err != nil {
		s.Fail(c, err)
		return
	}
	kit.Redirect(c, "/teach/sections/"+*d.Outcome.SectionID+"/outcomes", "outcome-saved")
}

// ArchiveOutcome sets one of the section's outcomes aside: its attachments,
// results and history stay; it is no longer offered for new attachments.
func (s *Handlers) ArchiveOutcome(c *kit.Call) { s.setOutcomeArchived(c, true) }

// RestoreOutcome brings an archived outcome of the section back.
func (s *Handlers) RestoreOutcome(c *kit.Call) { s.setOutcomeArchived(c, false) }

func (s *Handlers) setOutcomeArchived(c *kit.Call, archived bool) {
	d := &outcomesPage{}
	var invalid validate.Errors
	err := c.InTx(func(sc *db.Scope) error {
		if err := s.loadOutcome(c, sc, d); err != nil {
			return err
		}
		_, err := outcomes.SetArchived(c.R.Context(), sc, d.Outcome.ID, c.R.PostFormValue("reason"), archived)
		if ve, ok := validate.As(err); ok {
			invalid = ve
			return nil
		}
		return err
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	if invalid != nil {
		d.Errors, d.Input = invalid, outcomes.InputOf(d.Outcome)
		s.RenderStatus(c, http.StatusUnprocessableEntity, "outcomes", d.Outcome.Title, d)
		return
	}
	done := "outcome-restored"
	if archived {
		done = "outcome-archived"
	}
	kit.Redirect(c, "/teach/outcomes/"+d.Outcome.ID, done)
}
