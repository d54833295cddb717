package web

import (
	"errors"
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/audit"
	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/schools"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

type termsData struct {
	Terms   []classes.Term
	Schools []schools.School
	Error   string
}

func (s *Server) termsData(c *call) (*termsData, error) {
	schools, err := s.schoolsFor(c)
	if err != nil {
		return nil, err
	}
	d := &termsData{Schools: schools}
	err = c.inTx(func(sc *db.Scope) (err error) {
		d.Terms, err = classes.ListTerms(c.r.Context(), sc, c.actor().SchoolID)
		return err
	})
	return d, err
}

func (s *Server) adminTerms(c *call) {
	d, err := s.termsData(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "admin_terms", "Terms", d)
}

func (s *Server) adminTermCreate(c *call) {
	d, err := s.termsData(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	schoolID := c.r.PostFormValue("school")
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
		s.renderStatus(c, http.StatusUnprocessableEntity, "admin_terms", "Terms", d)
		return
	}
	err = c.inTx(func(sc *db.Scope) error {
		if _, err := classes.CreateTerm(c.r.Context(), sc, schoolID, name, "term", starts, ends); err != nil {
			return err
		}
		return audit.Audit(c.r.Context(), sc, "term.create", name, map[string]any{"school": schoolID}, c.id)
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	redirect(c, "/admin/terms", "term-created")
}

func (s *Server) adminTermDelete(c *call) {
	err := c.inTx(func(sc *db.Scope) error {
		if err := classes.DeleteTerm(c.r.Context(), sc, c.r.PathValue("id")); err != nil {
			return err
		}
		return audit.Audit(c.r.Context(), sc, "term.delete", c.r.PathValue("id"), nil, c.id)
	})
	if errors.Is(err, domain.ErrConflict) {
		d, lerr := s.termsData(c)
		if lerr != nil {
			s.fail(c, lerr)
			return
		}
		d.Error = "Sections still use this term, so it cannot be deleted."
		s.renderStatus(c, http.StatusConflict, "admin_terms", "Terms", d)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	redirect(c, "/admin/terms", "term-deleted")
}

func termInput(c *call) classes.TermInput {
	return classes.TermInput{Name: c.r.PostFormValue("name"), StartsOn: c.r.PostFormValue("starts_on"), EndsOn: c.r.PostFormValue("ends_on")}
}

type termData struct {
	Term  *classes.Term
	Error string
}

// adminTerm shows a term's form; terms of other schools read as not found.
func (s *Server) adminTerm(c *call) {
	var d termData
	err := c.inTx(func(sc *db.Scope) (err error) {
		d.Term, err = classes.GetTerm(c.r.Context(), sc, c.r.PathValue("id"))
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "admin_term", d.Term.Name, d)
}

// adminTermUpdate renames a term or moves its dates.
func (s *Server) adminTermUpdate(c *call) {
	name, starts, ends, invalid := termInput(c).Check()
	var d termData
	err := c.inTx(func(sc *db.Scope) (err error) {
		if d.Term, err = classes.GetTerm(c.r.Context(), sc, c.r.PathValue("id")); err != nil || invalid != nil {
			return err
		}
		if err := classes.UpdateTerm(c.r.Context(), sc, d.Term.ID, name, starts, ends); err != nil {
			return err
		}
		return audit.Audit(c.r.Context(), sc, "term.update", d.Term.ID, map[string]any{"name": name}, c.id)
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	if invalid != nil {
		d.Error = invalid.Error()
		s.renderStatus(c, http.StatusUnprocessableEntity, "admin_term", d.Term.Name, d)
		return
	}
	redirect(c, "/admin/terms", "term-updated")
}
