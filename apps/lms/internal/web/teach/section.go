package teach

import (
	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/coursework"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// SectionData is a section and its roster (LoadSection).
type SectionData struct {
	Section *classes.Section
	Roster  []classes.RosterEntry
}

type sectionHome struct {
	SectionData
	Assignments   []coursework.Assignment
	Announcements []coursework.Announcement
	Groups        []coursework.Group
	Error         string
	Form          struct{ Title, Body, GroupName, GroupWeight string }
}

// Section is a teacher's section home: its work (published or not), its
// announcements, its assignment groups and its roster. Sections the
// teacher does not teach are invisible to them (row-level security), so
// they read as not found.
func (s *Handlers) Section(c *kit.Call) {
	d, err := loadSectionHome(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "section", d.Section.Title, d)
}

func loadSectionHome(c *kit.Call) (*sectionHome, error) {
	d := &sectionHome{}
	err := c.InTx(func(sc *db.Scope) (err error) {
		ctx := c.R.Context()
		if d.Section, err = classes.GetSection(ctx, sc, c.R.PathValue("id")); err != nil {
			return err
		}
		if d.Roster, err = classes.Roster(ctx, sc, d.Section.ID); err != nil {
			return err
		}
		if d.Assignments, err = coursework.SectionAssignments(ctx, sc, d.Section.ID); err != nil {
			return err
		}
		if d.Groups, err = coursework.SectionGroups(ctx, sc, d.Section.ID); err != nil {
			return err
		}
		d.Announcements, err = coursework.Announcements(ctx, sc, d.Section.ID, 10)
		return err
	})
	return d, err
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
