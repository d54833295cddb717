package home

import (
	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/schools"
	"bellwork.dev/bellwork/apps/lms/internal/web/guardian"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
	"bellwork.dev/bellwork/apps/lms/internal/web/teach"
	"bellwork.dev/bellwork/pkg/directory"
)

// Home shows the page for the role the session acts in.
func (s *Handlers) Home(c *kit.Call) {
	if len(c.Memberships) == 0 {
		s.Render(c, "home_none", "Home", nil)
		return
	}
	switch c.Role() {
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

func (s *Handlers) homeTeacher(c *kit.Call) {
	teach.RenderOwnSections(s.Kit, c, classes.Teacher, "home_teacher", "My sections")
}

func (s *Handlers) homeStudent(c *kit.Call) {
	teach.RenderOwnSections(s.Kit, c, classes.Student, "home_student", "My classes")
}

// homeGuardian is the guardian portal's page across all linked children.
func (s *Handlers) homeGuardian(c *kit.Call) {
	guardian.New(s.Kit).Home(c, "home_guardian")
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
func (s *Handlers) homeAdmin(c *kit.Call) {
	var d adminHome
	err := c.InTx(func(sc *db.Scope) error {
		reached, err := schools.Milestones(c.R.Context(), sc)
		if err != nil {
			return err
		}
		d.Counts, err = classes.CountAll(c.R.Context(), sc)
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
		s.Fail(c, err)
		return
	}
	s.Render(c, "home_admin", "Overview", d)
}
