package assess

import (
	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
	"bellwork.dev/bellwork/apps/lms/internal/web/teach"
)

type gradebookData struct {
	Section  *classes.Section
	Students []classes.RosterEntry
}

// Gradebook shows one section's gradebook: a row per student. Sections the
// teacher does not teach are invisible to them (row-level security), so
// they read as not found.
func (s *Handlers) Gradebook(c *kit.Call) {
	sec, err := teach.LoadSection(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	d := gradebookData{Section: sec.Section}
	for _, r := range sec.Roster {
		if r.Role == classes.Student {
			d.Students = append(d.Students, r)
		}
	}
	s.Render(c, "gradebook", "Gradebook · "+d.Section.Title, d)
}
