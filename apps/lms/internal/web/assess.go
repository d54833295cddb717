package web

import "bellwork.dev/bellwork/apps/lms/internal/classes"

// assess lists the gradebooks of the teacher's sections.
func (s *Server) assess(c *call) { s.renderOwnSections(c, classes.Teacher, "assess", "Assess") }

type gradebookData struct {
	Section  *classes.Section
	Students []classes.RosterEntry
}

// gradebook shows one section's gradebook: a row per student. Sections the
// teacher does not teach are invisible to them (row-level security), so
// they read as not found.
func (s *Server) gradebook(c *call) {
	sec, err := loadSection(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := gradebookData{Section: sec.Section}
	for _, r := range sec.Roster {
		if r.Role == classes.Student {
			d.Students = append(d.Students, r)
		}
	}
	s.render(c, "gradebook", "Gradebook · "+d.Section.Title, d)
}
