package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/audit"
	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/schools"
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
	f := readTermForm(c)
	d.Error = f.problem
	if !known {
		d.Error = "Choose the school the term belongs to."
	}
	name, starts, ends := f.name, f.starts, f.ends
	if d.Error != "" {
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

// termForm is a term's name and dates as posted, and what is wrong with them.
type termForm struct {
	name         string
	starts, ends time.Time
	problem      string
}

func readTermForm(c *call) termForm {
	f := termForm{name: strings.TrimSpace(c.r.PostFormValue("name"))}
	var serr, eerr error
	f.starts, serr = time.Parse(time.DateOnly, c.r.PostFormValue("starts_on"))
	f.ends, eerr = time.Parse(time.DateOnly, c.r.PostFormValue("ends_on"))
	switch {
	case f.name == "" || len(f.name) > 60:
		f.problem = "Give the term a name of at most 60 characters, such as Spring 2027."
	case serr != nil || eerr != nil:
		f.problem = "Enter both dates as YYYY-MM-DD."
	case f.ends.Before(f.starts):
		f.problem = "The term must end on or after the day it starts."
	}
	return f
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
	f := readTermForm(c)
	var d termData
	err := c.inTx(func(sc *db.Scope) (err error) {
		if d.Term, err = classes.GetTerm(c.r.Context(), sc, c.r.PathValue("id")); err != nil || f.problem != "" {
			return err
		}
		if err := classes.UpdateTerm(c.r.Context(), sc, d.Term.ID, f.name, f.starts, f.ends); err != nil {
			return err
		}
		return audit.Audit(c.r.Context(), sc, "term.update", d.Term.ID, map[string]any{"name": f.name}, c.id)
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	if f.problem != "" {
		d.Error = f.problem
		s.renderStatus(c, http.StatusUnprocessableEntity, "admin_term", d.Term.Name, d)
		return
	}
	redirect(c, "/admin/terms", "term-updated")
}
