package web

import (
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/schools"
	"bellwork.dev/bellwork/pkg/directory"
)

type schoolsData struct {
	Schools  []schools.School
	Students map[string]int
}

func (s *Server) adminSchools(c *call) {
	var d schoolsData
	err := c.inTx(func(sc *db.Scope) (err error) {
		if d.Schools, err = schools.ListSchools(c.r.Context(), sc, true); err != nil {
			return err
		}
		d.Students, err = schools.SchoolStudentCounts(c.r.Context(), sc)
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	if c.role() == db.SchoolAdmin {
		var mine []schools.School
		for _, sch := range d.Schools {
			if sch.ID == c.actor().SchoolID {
				mine = append(mine, sch)
			}
		}
		d.Schools = mine
	}
	s.render(c, "admin_schools", "Schools", d)
}

type schoolData struct {
	School     *schools.School
	Branding   directory.Branding
	Calendar   directory.Calendar
	GradeBands []directory.GradeBand
}

func (s *Server) adminSchool(c *call) {
	id := c.r.PathValue("id")
	if c.role() == db.SchoolAdmin && id != c.actor().SchoolID {
		s.notFound(c)
		return
	}
	var d schoolData
	err := c.inTx(func(sc *db.Scope) (err error) {
		d.School, err = schools.GetSchool(c.r.Context(), sc, id)
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	d.Branding, d.Calendar, d.GradeBands = d.School.BrandingInfo(), d.School.CalendarInfo(), d.School.GradeBandsInfo()
	s.render(c, "admin_school", d.School.Name, d)
}
