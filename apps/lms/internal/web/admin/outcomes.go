package admin

import (
	"net/http"
	"strconv"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/outcomes"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// District outcomes: the standards every section of the district may
// measure. District admins list, add, change, archive and restore them
// here; the same domain functions serve teachers' course outcomes
// (web/teach) and the JSON API.

type outcomesData struct {
	Outcomes []outcomes.Outcome
	Input    outcomes.Input
	Methods  []outcomes.MethodChoice
	Errors   validate.Errors
}

func (s *Handlers) outcomesList(c *kit.Call, d *outcomesData) error {
	d.Methods = outcomes.Methods
	return c.InTx(func(sc *db.Scope) (err error) {
		d.Outcomes, err = outcomes.District(c.R.Context(), sc)
		return err
	})
}

// Outcomes serves GET /admin/outcomes: the district's outcomes and the form
// to add one.
func (s *Handlers) Outcomes(c *kit.Call) {
	d := &outcomesData{Input: outcomes.NewInput()}
	if err := s.outcomesList(c, d); err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "admin_outcomes", "Outcomes", d)
}

// outcomeForm reads the outcome form (the same fields as the teacher's).
func outcomeForm(c *kit.Call) outcomes.Input {
	f := c.R.PostFormValue
	return outcomes.Input{Title: f("title"), Description: f("description"), Scale: f("scale"), MasteryPoints: f("mastery_points"),
		Method: f("method"), CalculationInt: f("calculation_int"), Reason: f("reason")}
}

// OutcomeCreate serves POST /admin/outcomes.
func (s *Handlers) OutcomeCreate(c *kit.Call) {
	d := &outcomesData{Input: outcomeForm(c)}
	var created *outcomes.Outcome
	err := c.InTx(func(sc *db.Scope) (err error) {
		created, err = outcomes.Create(c.R.Context(), sc, "", d.Input)
		return err
	})
	if ve, ok := validate.As(err); ok {
		d.Errors = ve
		if err := s.outcomesList(c, d); err != nil {
			s.Fail(c, err)
			return
		}
		s.RenderStatus(c, http.StatusUnprocessableEntity, "admin_outcomes", "Outcomes", d)
		return
	}
	if err != nil {
		s.Fail(c, err)
		return
	}
	kit.Redirect(c, "/admin/outcomes/"+created.ID, "outcome-created")
}

type outcomeData struct {
	Outcome *outcomes.Outcome
	Input   outcomes.Input
	Methods []outcomes.MethodChoice
	Errors  validate.Errors
	// Trail is one page of the outcome's history, newest first.
	Trail     []outcomes.TrailEntry
	NextTrail int64
	Paged     bool
}

// loadOutcome reads a district outcome and a page of its history (?before=).
// Sections' outcomes are their teachers', not edited here: not found.
func (s *Handlers) loadOutcome(c *kit.Call, sc *db.Scope, d *outcomeData) (err error) {
	ctx := c.R.Context()
	if d.Outcome, err = outcomes.Get(ctx, sc, c.R.PathValue("id")); err != nil {
		return err
	}
	if !d.Outcome.District() {
		return domain.ErrNotFound
	}
	before, _ := strconv.ParseInt(c.R.URL.Query().Get("before"), 10, 64)
	d.Paged = before > 0
	d.Methods = outcomes.Methods
	d.Trail, d.NextTrail, err = outcomes.Trail(ctx, sc, d.Outcome.ID, before)
	return err
}

// Outcome serves GET /admin/outcomes/{id}: the form to change a district
// outcome, archive or restore it, and its history.
func (s *Handlers) Outcome(c *kit.Call) {
	d := &outcomeData{}
	if err := c.InTx(func(sc *db.Scope) error { return s.loadOutcome(c, sc, d) }); err != nil {
		s.Fail(c, err)
		return
	}
	d.Input = outcomes.InputOf(d.Outcome)
	s.Render(c, "admin_outcome", d.Outcome.Title, d)
}

// OutcomeUpdate serves POST /admin/outcomes/{id}; the database keeps the
// old and new definition, with the reason, in the outcome's history.
func (s *Handlers) OutcomeUpdate(c *kit.Call) {
	d := &outcomeData{Input: outcomeForm(c)}
	var invalid validate.Errors
	err := c.InTx(func(sc *db.Scope) error {
		if err := s.loadOutcome(c, sc, d); err != nil {
			return err
		}
		_, err := outcomes.Update(c.R.Context(), sc, d.Outcome.ID, d.Input)
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
		d.Errors = invalid
		s.RenderStatus(c, http.StatusUnprocessableEntity, "admin_outcome", d.Outcome.Title, d)
		return
	}
	kit.Redirect(c, "/admin/outcomes/"+d.Outcome.ID, "outcome-saved")
}

// OutcomeArchive serves POST /admin/outcomes/{id}/archive: the outcome keeps
// its attachments, results and history, and is no longer offered for new
// attachments.
func (s *Handlers) OutcomeArchive(c *kit.Call) { s.setArchived(c, true) }

// OutcomeRestore serves POST /admin/outcomes/{id}/restore.
func (s *Handlers) OutcomeRestore(c *kit.Call) { s.setArchived(c, false) }

func (s *Handlers) setArchived(c *kit.Call, archived bool) {
	d := &outcomeData{}
	reason := c.R.PostFormValue("reason")
	var invalid validate.Errors
	err := c.InTx(func(sc *db.Scope) error {
		if err := s.loadOutcome(c, sc, d); err != nil {
			return err
		}
		_, err := outcomes.SetArchived(c.R.Context(), sc, d.Outcome.ID, reason, archived)
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
		s.RenderStatus(c, http.StatusUnprocessableEntity, "admin_outcome", d.Outcome.Title, d)
		return
	}
	done := "outcome-restored"
	if archived {
		done = "outcome-archived"
	}
	kit.Redirect(c, "/admin/outcomes/"+d.Outcome.ID, done)
}
