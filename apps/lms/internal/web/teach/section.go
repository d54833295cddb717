package teach

import (
	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// SectionData is a section and its roster (LoadSection).
type SectionData struct {
	Section *classes.Section
	Roster  []classes.RosterEntry
}

// Section shows one of the teacher's sections and its roster; sections the
// teacher does not teach are invisible to them (row-level security), so
// they read as not found.
func (s *Handlers) Section(c *kit.Call) {
	d, err := LoadSection(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "section", d.Section.Title, d)
}

// LoadSection reads the section named in the path and its roster, as the
// signed-in user sees them.
func LoadSection(c *kit.Call) (SectionData, error) {
	var d SectionData
	err := c.InTx(func(sc *db.Scope) (err error) {
		if d.Section, err = classes.GetSection(c.R.Context(), sc, c.R.PathValue("id")); err != nil {
			return err
		}
		d.Roster, err = classes.Roster(c.R.Context(), sc, d.Section.ID)
		return err
	})
	return d, err
}
