package web

import (
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/store"
)

// assess lists the gradebooks of the teacher's sections.
func (s *Server) assess(c *call) {
	var d sectionsData
	err := c.inTx(func(sc *db.Scope) (err error) {
		d.Sections, err = store.SectionsOf(c.r.Context(), sc, c.user.ID, "teacher")
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "assess", "Assess", d)
}

type gradebookData struct {
	Section  *store.Section
	Students []store.RosterEntry
}

// gradebook shows one section's gradebook: a row per student. Sections the
// teacher does not teach are invisible to them (row-level security), so
// they read as not found.
func (s *Server) gradebook(c *call) {
	var d gradebookData
	err := c.inTx(func(sc *db.Scope) (err error) {
		if d.Section, err = store.GetSection(c.r.Context(), sc, c.r.PathValue("id")); err != nil {
			return err
		}
		roster, err := store.Roster(c.r.Context(), sc, d.Section.ID)
		for _, r := range roster {
			if r.Role == "student" {
				d.Students = append(d.Students, r)
			}
		}
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "gradebook", "Gradebook · "+d.Section.Title, d)
}
