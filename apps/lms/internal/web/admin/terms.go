package admin

import (
	"errors"
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/audit"
	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/schools"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

type termsData struct {
	Terms   []classes.Term
	Schools []schools.School
	Error   string
}

func (s *Handlers) termsData(c *kit.Call) (*termsData, error) {
	schools, err := SchoolsFor(c)
	if err != nil {
		return nil, err
	}
	d := &termsData{Schools: schools}
	err = c.InTx(func(sc *db.Scope) (err error) {
		d.Terms, err = classes.ListTerms(c.R.Context(), sc, c.Actor().SchoolID)
		return err
	})
	return d, err
}

// Terms serves GET /admin/terms.
func (s *Handlers) Terms(c *kit.Call) {
	d, err := s.termsData(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "admin_terms", "Terms", d)
}

// TermCreate serves POST /admin/terms.
func (s *Handlers) TermCreate(c *kit.Call) {
	d, err := s.termsData(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	schoolID := c.R.PostFormValue("school")
	known := false
	for _, sch := range d.Schools {
		known = known || sch.ID == schoolID
	}
	name, starts, ends, err := termInput(c).Check()
	if !known {
		err = validate.Problem("Choose the school the term belongs to.")
	}
	if invalid, ok := validate.As(err); ok {
		d.Error = invalid.Error()
		s.RenderStatus(c, http.StatusUnprocessableEntity, "admin_terms", "Terms", d)
		return
	}
	err = c.InTx(func(sc *db.Scope) error {
		if _, err := classes.CreateTerm(c.R.Context(), sc, schoolID, name, "term", starts, ends); err != nil {
			return err
		}
		return audit.Audit(c.R.Context(), sc, "term.create", name, map[string]any{"school": schoolID}, c.ID)
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	kit.Redirect(c, "/admin/terms", "term-created")
}

// TermDelete serves POST /admin/terms/{id}/delete.
func (s *Handlers) TermDelete(c *kit.Call) {
	err := c.InTx(func(sc *db.Scope) error {
		if err := classes.DeleteTerm(c.R.Context(), sc, c.R.PathValue("id")); err != nil {
			return err
		}
		return audit.Audit(c.R.Context(), sc, "term.delete", c.R.PathValue("id"), nil, c.ID)
	})
	if errors.Is(err, domain.ErrConflict) {
		d, lerr := s.termsData(c)
		if lerr != nil {
			s.Fail(c, lerr)
			return
		}
		d.Error = "Sections still use this term, so it cannot be deleted."
		s.RenderStatus(c, http.StatusConflict, "admin_terms", "Terms", d)
		return
	}
	if err != nil {
		s.Fail(c, err)
		return
	}
	kit.Redirect(c, "/admin/terms", "term-deleted")
}

func termInput(c *kit.Call) classes.TermInput {
	return classes.TermInput{Name: c.R.PostFormValue("name"), StartsOn: c.R.PostFormValue("starts_on"), EndsOn: c.R.PostFormValue("ends_on")}
}

type termData struct {
	Term  *classes.Term
	Error string
}

// Term shows a term's form; terms of other schools read as not found.
func (s *Handlers) Term(c *kit.Call) {
	var d termData
	err := c.InTx(func(sc *db.Scope) (err error) {
		d.Term, err = classes.GetTerm(c.R.Context(), sc, c.R.PathValue("id"))
		return err
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "admin_term", d.Term.Name, d)
}

// TermUpdate renames a term or moves its dates.
func (s *Handlers) TermUpdate(c *kit.Call) {
	name, starts, ends, invalid := termInput(c).Check()
	var d termData
	err := c.InTx(func(sc *db.Scope) (err error) {
		if d.Term, err = classes.GetTerm(c.R.Context(), sc, c.R.PathValue("id")); err != nil || invalid != nil {
			return err
		}
		if err := classes.UpdateTerm(c.R.Context(), sc, d.Term.ID, name, starts, ends); err != nil {
			return err
		}
		return audit.Audit(c.R.Context(), sc, "term.update", d.Term.ID, map[string]any{"name": name}, c.ID)
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	if invalid != nil {
		d.Error = invalid.Error()
		s.RenderStatus(c, http.StatusUnprocessableEntity, "admin_term", d.Term.Name, d)
		return
	}
	kit.Redirect(c, "/admin/terms", "term-updated")
}
