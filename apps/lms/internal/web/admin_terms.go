package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/store"
)

type termsData struct {
	Terms   []store.Term
	Schools []store.School
	Error   string
}

func (s *Server) termsData(c *call) (*termsData, error) {
	schools, err := s.schoolsFor(c)
	if err != nil {
		return nil, err
	}
	d := &termsData{Schools: schools}
	err = c.inTx(func(sc *db.Scope) (err error) {
		d.Terms, err = store.ListTerms(c.r.Context(), sc, c.actor().SchoolID)
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
	name := strings.TrimSpace(c.r.PostFormValue("name"))
	schoolID := c.r.PostFormValue("school")
	starts, serr := time.Parse(time.DateOnly, c.r.PostFormValue("starts_on"))
	ends, eerr := time.Parse(time.DateOnly, c.r.PostFormValue("ends_on"))
	known := false
	for _, sch := range d.Schools {
		known = known || sch.ID == schoolID
	}
	switch {
	case !known:
		d.Error = "Choose the school the term belongs to."
	case name == "" || len(name) > 60:
		d.Error = "Give the term a name of at most 60 characters, such as Spring 2027."
	case serr != nil || eerr != nil:
		d.Error = "Enter both dates as YYYY-MM-DD."
	case ends.Before(starts):
		d.Error = "The term must end on or after the day it starts."
	}
	if d.Error != "" {
		s.renderStatus(c, http.StatusUnprocessableEntity, "admin_terms", "Terms", d)
		return
	}
	err = c.inTx(func(sc *db.Scope) error {
		if _, err := store.CreateTerm(c.r.Context(), sc, schoolID, name, "term", starts, ends); err != nil {
			return err
		}
		return store.Audit(c.r.Context(), sc, "term.create", name, map[string]any{"school": schoolID}, c.id)
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	redirect(c, "/admin/terms", "term-created")
}

func (s *Server) adminTermDelete(c *call) {
	err := c.inTx(func(sc *db.Scope) error {
		if err := store.DeleteTerm(c.r.Context(), sc, c.r.PathValue("id")); err != nil {
			return err
		}
		return store.Audit(c.r.Context(), sc, "term.delete", c.r.PathValue("id"), nil, c.id)
	})
	if errors.Is(err, store.ErrConflict) {
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
