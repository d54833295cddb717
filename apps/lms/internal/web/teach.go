package web

import (
	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/pkg/directory"
)

func (s *Server) teach(c *call) { s.renderOwnSections(c, classes.Teacher, "teach", "Teach") }

type sectionData struct {
	Section *classes.Section
	Roster  []classes.RosterEntry
}

// section shows one of the teacher's sections and its roster; sections the
// teacher does not teach are invisible to them (row-level security), so
// they read as not found.
func (s *Server) section(c *call) {
	d, err := loadSection(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "section", d.Section.Title, d)
}

// loadSection reads the section named in the path and its roster, as the
// signed-in user sees them.
func loadSection(c *call) (sectionData, error) {
	var d sectionData
	err := c.inTx(func(sc *db.Scope) (err error) {
		if d.Section, err = classes.GetSection(c.r.Context(), sc, c.r.PathValue("id")); err != nil {
			return err
		}
		d.Roster, err = classes.Roster(c.r.Context(), sc, d.Section.ID)
		return err
	})
	return d, err
}

type courseGroup struct {
	Title    string
	Sections []classes.Section
}

type planData struct {
	Sections   []classes.Section
	Courses    []courseGroup
	SchoolName string
	TimeZone   string
	Terms      []directory.Term
	Holidays   []directory.Holiday
	Hours      []directory.Hours
}

// plan groups the teacher's sections by course beside their school's calendar.
func (s *Server) plan(c *call) {
	var d planData
	err := c.inTx(func(sc *db.Scope) (err error) {
		d.Sections, err = classes.MySections(c.r.Context(), sc, classes.Teacher)
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	index := map[string]int{}
	for _, sec := range d.Sections {
		i, ok := index[sec.CourseTitle]
		if !ok {
			i = len(d.Courses)
			index[sec.CourseTitle] = i
			d.Courses = append(d.Courses, courseGroup{Title: sec.CourseTitle})
		}
		d.Courses[i].Sections = append(d.Courses[i].Sections, sec)
	}
	if c.school != nil {
		cal := c.school.CalendarInfo()
		d.SchoolName, d.TimeZone, d.Terms, d.Holidays, d.Hours = c.school.Name, c.school.TimeZone, cal.Terms, cal.Holidays, cal.Hours
	}
	s.render(c, "plan", "Plan", d)
}

func (s *Server) learn(c *call) {
	if c.role() == db.Guardian {
		d, err := s.children(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		s.render(c, "learn", "Learn", d)
		return
	}
	var d childrenData
	err := c.inTx(func(sc *db.Scope) (err error) {
		d.Sections, err = classes.MySections(c.r.Context(), sc, classes.Student)
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "learn", "Learn", d)
}

type reportData struct {
	Sections []classes.Section
	Total    int
}

// report lists enrolment per section the role can see: a teacher's own,
// a school admin's school, the whole district for district admins.
func (s *Server) report(c *call) {
	var d reportData
	err := c.inTx(func(sc *db.Scope) (err error) {
		if c.role() == db.Teacher {
			d.Sections, err = classes.MySections(c.r.Context(), sc, classes.Teacher)
		} else {
			d.Sections, err = classes.ListSections(c.r.Context(), sc, c.actor().SchoolID)
		}
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	for _, sec := range d.Sections {
		d.Total += sec.Students
	}
	s.render(c, "report", "Report", d)
}
