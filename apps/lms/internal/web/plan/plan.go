package plan

import (
	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
	"bellwork.dev/bellwork/pkg/directory"
)

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

// Plan groups the teacher's sections by course beside their school's calendar.
func (s *Handlers) Plan(c *kit.Call) {
	var d planData
	err := c.InTx(func(sc *db.Scope) (err error) {
		d.Sections, err = classes.MySections(c.R.Context(), sc, classes.Teacher)
		return err
	})
	if err != nil {
		s.Fail(c, err)
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
	if c.School != nil {
		cal := c.School.CalendarInfo()
		d.SchoolName, d.TimeZone, d.Terms, d.Holidays, d.Hours = c.School.Name, c.School.TimeZone, cal.Terms, cal.Holidays, cal.Hours
	}
	s.Render(c, "plan", "Plan", d)
}
