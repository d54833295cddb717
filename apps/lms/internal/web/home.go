package web

import (
	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/schools"
	"bellwork.dev/bellwork/pkg/directory"
)

// home shows the page for the role the session acts in.
func (s *Server) home(c *call) {
	if len(c.memberships) == 0 {
		s.render(c, "home_none", "Home", nil)
		return
	}
	switch c.role() {
	case db.Teacher:
		s.homeTeacher(c)
	case db.Student:
		s.homeStudent(c)
	case db.Guardian:
		s.homeGuardian(c)
	default:
		s.homeAdmin(c)
	}
}

type sectionsData struct {
	Sections []classes.Section
}

// renderOwnSections renders a page listing the sections the user is
// enrolled in with a role (teacher or student).
func (s *Server) renderOwnSections(c *call, enrolledAs classes.EnrollmentRole, page, title string) {
	var d sectionsData
	err := c.inTx(func(sc *db.Scope) (err error) {
		d.Sections, err = classes.MySections(c.r.Context(), sc, enrolledAs)
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, page, title, d)
}

func (s *Server) homeTeacher(c *call) {
	s.renderOwnSections(c, classes.Teacher, "home_teacher", "My sections")
}

func (s *Server) homeStudent(c *call) {
	s.renderOwnSections(c, classes.Student, "home_student", "My classes")
}

type childView struct {
	Child    people.Child
	Sections []classes.Section
}

type childrenData struct {
	Children []childView
	Sections []classes.Section
}

func (s *Server) children(c *call) (childrenData, error) {
	var d childrenData
	err := c.inTx(func(sc *db.Scope) error {
		kids, err := people.MyChildren(c.r.Context(), sc)
		if err != nil {
			return err
		}
		for _, k := range kids {
			secs, err := classes.StudentSections(c.r.Context(), sc, k.UserID)
			if err != nil {
				return err
			}
			d.Children = append(d.Children, childView{Child: k, Sections: secs})
		}
		return nil
	})
	return d, err
}

func (s *Server) homeGuardian(c *call) {
	d, err := s.children(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "home_guardian", "My children", d)
}

type checkItem struct {
	Label, Href string
	Done        bool
}

type adminHome struct {
	Checklist []checkItem
	Done      int
	Counts    classes.Counts
}

// homeAdmin shows the onboarding checklist (the same milestones the
// operator reports in the Tenant's status) and the headline numbers.
func (s *Server) homeAdmin(c *call) {
	var d adminHome
	err := c.inTx(func(sc *db.Scope) error {
		reached, err := schools.Milestones(c.r.Context(), sc)
		if err != nil {
			return err
		}
		d.Counts, err = classes.CountAll(c.r.Context(), sc)
		if err != nil {
			return err
		}
		items := []struct{ name, label, href string }{
			{directory.MilestoneAdminInvited, "District admins invited", ""},
			{directory.MilestoneAdminSignedIn, "A district admin signed in", ""},
			{directory.MilestoneSchoolsSynced, "Schools published by your platform team", "/admin/schools"},
			{directory.MilestoneBrandingSet, "School branding set", "/admin/schools"},
			{directory.MilestoneRosterImported, "Roster imported", "/admin/imports"},
			{directory.MilestoneFirstCourse, "First course set up", "/admin/imports"},
			{directory.MilestoneFirstTeacherSignIn, "First teacher signed in", "/admin/users?role=teacher"},
			{directory.MilestoneFirstGrade, "First assignment graded", ""},
		}
		for _, it := range items {
			_, done := reached[it.name]
			if done {
				d.Done++
			}
			d.Checklist = append(d.Checklist, checkItem{Label: it.label, Href: it.href, Done: done})
		}
		return nil
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "home_admin", "Overview", d)
}
