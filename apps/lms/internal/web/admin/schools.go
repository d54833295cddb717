package admin

import (
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/schools"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
	"bellwork.dev/bellwork/pkg/directory"
)

type schoolsData struct {
	Schools  []schools.School
	Students map[string]int
}

// Schools serves GET /admin/schools.
func (s *Handlers) Schools(c *kit.Call) {
	var d schoolsData
	err := c.InTx(func(sc *db.Scope) (err error) {
		if d.Schools, err = schools.ListSchools(c.R.Context(), sc, true); err != nil {
			return err
		}
		d.Students, err = schools.SchoolStudentCounts(c.R.Context(), sc)
		return err
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	if c.Role() == db.SchoolAdmin {
		var mine []schools.School
		for _, sch := range d.Schools {
			if sch.ID == c.Actor().SchoolID {
				mine = append(mine, sch)
			}
		}
		d.Schools = mine
	}
	s.Render(c, "admin_schools", "Schools", d)
}

type schoolData struct {
	School     *schools.School
	Branding   directory.Branding
	Calendar   directory.Calendar
	GradeBands []directory.GradeBand
}

// School serves GET /admin/schools/{id}.
func (s *Handlers) School(c *kit.Call) {
	id := c.R.PathValue("id")
	if c.Role() == db.SchoolAdmin && id != c.Actor().SchoolID {
		s.NotFound(c)
		return
	}
	var d schoolData
	err := c.InTx(func(sc *db.Scope) (err error) {
		d.School, err = schools.GetSchool(c.R.Context(), sc, id)
		return err
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	d.Branding, d.Calendar, d.GradeBands = d.School.BrandingInfo(), d.School.CalendarInfo(), d.School.GradeBandsInfo()
	s.Render(c, "admin_school", d.School.Name, d)
}
