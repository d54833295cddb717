package roster

import (
	"fmt"
	"regexp"
	"slices"
)

// This file reads the files that describe the school: orgs, academic
// sessions, courses and classes.

var fourDigitYear = regexp.MustCompile(`^[0-9]{4}$`)

func (p *bundleParser) readOrgs(t *table) {
	for _, row := range t.rows {
		c := p.startRow(t, row)
		if c == nil {
			continue
		}
		o := Org{
			SourcedID:       c.required("sourcedId"),
			Status:          c.status(),
			Name:            c.required("name"),
			Type:            c.orgType(),
			Identifier:      c.text("identifier"),
			ParentSourcedID: c.text("parentSourcedId"),
			Line:            row.line,
		}
		if p.keep(c) {
			at := len(p.bundle.Orgs)
			p.bundle.Orgs = append(p.bundle.Orgs, o)
			p.referSoft(c, "parentSourcedId", "orgs.csv", o.ParentSourcedID, func() { p.bundle.Orgs[at].ParentSourcedID = "" })
		}
	}
}

func (p *bundleParser) readSessions(t *table) {
	for _, row := range t.rows {
		c := p.startRow(t, row)
		if c == nil {
			continue
		}
		s := AcademicSession{
			SourcedID:       c.required("sourcedId"),
			Status:          c.status(),
			Title:           c.required("title"),
			Type:            c.choice("type", sessionTypes),
			StartDate:       c.date("startDate"),
			EndDate:         c.date("endDate"),
			ParentSourcedID: c.text("parentSourcedId"),
			SchoolYear:      c.text("schoolYear"),
			Line:            row.line,
		}
		c.endNotBeforeStart("startDate", s.StartDate, "endDate", s.EndDate)
		switch {
		case s.SchoolYear == "" && s.EndDate != (Date{}):
			// OneRoster names a school year by the year it ends.
			s.SchoolYear = fmt.Sprintf("%04d", s.EndDate.Year)
			c.problems.warnRows(t.file, row.line, "schoolYear", "schoolYear is missing; it was taken from the year of endDate")
		case s.SchoolYear != "" && !fourDigitYear.MatchString(s.SchoolYear):
			c.problem("schoolYear", "schoolYear %s must be a 4-digit year, such as 2025 for the 2024-2025 school year", quote(s.SchoolYear))
		}
		if p.keep(c) {
			at := len(p.bundle.Sessions)
			p.bundle.Sessions = append(p.bundle.Sessions, s)
			p.referSoft(c, "parentSourcedId", "academicSessions.csv", s.ParentSourcedID, func() { p.bundle.Sessions[at].ParentSourcedID = "" })
		}
	}
}

func (p *bundleParser) readCourses(t *table) {
	for _, row := range t.rows {
		c := p.startRow(t, row)
		if c == nil {
			continue
		}
		course := Course{
			SourcedID:           c.required("sourcedId"),
			Status:              c.status(),
			SchoolYearSourcedID: c.text("schoolYearSourcedId"),
			Title:               c.required("title"),
			CourseCode:          c.text("courseCode"),
			Grades:              c.list("grades"),
			OrgSourcedID:        c.required("orgSourcedId"),
			Subjects:            c.list("subjects"),
			Line:                row.line,
		}
		p.refer(c, "schoolYearSourcedId", "academicSessions.csv", course.SchoolYearSourcedID)
		p.refer(c, "orgSourcedId", "orgs.csv", course.OrgSourcedID)
		if p.keep(c) {
			p.bundle.Courses = append(p.bundle.Courses, course)
		}
	}
}

func (p *bundleParser) readClasses(t *table) {
	for _, row := range t.rows {
		c := p.startRow(t, row)
		if c == nil {
			continue
		}
		class := Class{
			SourcedID:       c.required("sourcedId"),
			Status:          c.status(),
			Title:           c.required("title"),
			Grades:          c.list("grades"),
			CourseSourcedID: c.text("courseSourcedId"),
			ClassCode:       c.text("classCode"),
			ClassType:       c.choice("classType", classTypes),
			Location:        c.text("location"),
			SchoolSourcedID: c.required("schoolSourcedId"),
			TermSourcedIDs:  c.list("termSourcedIds"),
			Subjects:        c.list("subjects"),
			Periods:         c.list("periods"),
			Line:            row.line,
		}
		if len(class.TermSourcedIDs) == 0 {
			c.problem("termSourcedIds", "termSourcedIds is empty; list the sourcedId of at least one term from academicSessions.csv")
		}
		if class.CourseSourcedID == "" {
			c.problems.warnRows(t.file, row.line, "courseSourcedId", "courseSourcedId is empty; a course was made from the class (its title and school)")
		}
		p.refer(c, "courseSourcedId", "courses.csv", class.CourseSourcedID)
		p.refer(c, "schoolSourcedId", "orgs.csv", class.SchoolSourcedID)
		if p.keep(c) {
			at := len(p.bundle.Classes)
			p.bundle.Classes = append(p.bundle.Classes, class)
			for _, term := range class.TermSourcedIDs {
				p.referSoft(c, "termSourcedIds", "academicSessions.csv", term, func() {
					cl := &p.bundle.Classes[at]
					cl.TermSourcedIDs = slices.DeleteFunc(slices.Clone(cl.TermSourcedIDs), func(id string) bool { return id == term })
				})
			}
		}
	}
}
