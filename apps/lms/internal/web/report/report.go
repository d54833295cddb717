package report

import (
	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

type reportData struct {
	Sections []classes.Section
	Total    int
}

// Report lists enrolment per section the role can see: a teacher's own,
// a school admin's school, the whole district for district admins.
func (s *Handlers) Report(c *kit.Call) {
	var d reportData
	err := c.InTx(func(sc *db.Scope) (err error) {
		if c.Role() == db.Teacher {
			d.Sections, err = classes.MySections(c.R.Context(), sc, classes.Teacher)
		} else {
			d.Sections, err = classes.ListSections(c.R.Context(), sc, c.Actor().SchoolID)
		}
		return err
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	for _, sec := range d.Sections {
		d.Total += sec.Students
	}
	s.Render(c, "report", "Report", d)
}
