// Package authz is the LMS's single permission table: which roles may take
// which actions. Every route names one action; a handler checks it once.
package authz

import "bellwork.dev/bellwork/apps/lms/internal/db"

// Action is something a route lets a user do.
type Action string

// Actions. Public ones need no session; Signed ones only a signed-in user.
const (
	Public Action = "public" // sign-in, health, assets
	Signed Action = "signed" // home, profile, sign-out, role switch

	ViewTeaching   Action = "teaching.view"   // Plan and Teach: own sections and rosters
	ViewLearning   Action = "learning.view"   // Learn: own courses (students), children's (guardians)
	ViewGradebook  Action = "gradebook.view"  // Assess: gradebooks of own sections
	ViewReports    Action = "reports.view"    // Report: enrolment figures
	ViewUsers      Action = "users.view"      // admin: list and search users
	ManageUsers    Action = "users.manage"    // admin: create, edit, deactivate, reset, roles
	ViewSchools    Action = "schools.view"    // admin: schools as the directory publishes them
	ManageTerms    Action = "terms.manage"    // admin: academic terms
	ImportRoster   Action = "roster.import"   // admin: CSV and OneRoster imports
	SyncRoster     Action = "roster.sync"     // district admin: the OneRoster REST sync's settings and runs
	ViewAudit      Action = "audit.view"      // admin: audit log
	ViewSections   Action = "sections.view"   // API: sections visible to the user
	DevMailbox     Action = "dev.mailbox"     // the local mailbox page (development only)
	ViewOnboarding Action = "onboarding.view" // admin: the onboarding checklist
	ViewFlags      Action = "flags.view"      // admin: the district's feature flags
	ViewHealth     Action = "health.view"     // admin: the district's health checks (district admins only)

	ManageCoursework Action = "coursework.manage" // Teach: assignments, groups, rubrics, announcements of own sections
	GradeWork        Action = "work.grade"        // Teach: the grading view, posting grades
	SubmitWork       Action = "work.submit"       // Learn: own assignments, submitting and resubmitting
	ViewFiles        Action = "files.view"        // attachments and submitted files the user may see (row-level security decides)

	ViewChildren      Action = "children.view" // guardian portal: linked children's work, posted grades and comments (read-only)
	ShareWithGuardian Action = "pairing.own"   // a student makes a pairing code for their own guardian
	IssuePairingCode  Action = "pairing.issue" // admin: a pairing code for a student of their school
	LinkChild         Action = "children.link" // a guardian redeems a pairing code
	ManageAlerts      Action = "alerts.manage" // a guardian's own digest e-mail settings

	ManageOutcomes Action = "outcomes.manage" // district admin: district outcomes (standards), their archive and history
	EditOutcomes   Action = "outcomes.edit"   // API: change or archive an outcome (the district's: district admins; a section's: its teachers)
)

var admins = []db.Role{db.DistrictAdmin, db.SchoolAdmin}

// table lists, for each action, the roles allowed. An action missing here
// is allowed to no one.
var table = map[Action][]db.Role{
	ViewTeaching:   {db.Teacher},
	ViewLearning:   {db.Student, db.Guardian},
	ViewGradebook:  {db.Teacher},
	ViewReports:    {db.DistrictAdmin, db.SchoolAdmin, db.Teacher},
	ViewUsers:      admins,
	ManageUsers:    admins,
	ViewSchools:    admins,
	ManageTerms:    admins,
	ImportRoster:   admins,
	SyncRoster:     {db.DistrictAdmin},
	ViewAudit:      admins,
	ViewOnboarding: admins,
	ViewFlags:      {db.DistrictAdmin},
	ViewHealth:     {db.DistrictAdmin},
	ViewSections:   {db.DistrictAdmin, db.SchoolAdmin, db.Teacher, db.Student, db.Guardian},

	ManageCoursework: {db.Teacher},
	GradeWork:        {db.Teacher},
	SubmitWork:       {db.Student},
	ViewFiles:        {db.DistrictAdmin, db.SchoolAdmin, db.Teacher, db.Student, db.Guardian},

	ViewChildren:      {db.Guardian},
	ShareWithGuardian: {db.Student},
	IssuePairingCode:  admins,
	LinkChild:         {db.Guardian},
	ManageAlerts:      {db.Guardian},

	ManageOutcomes: {db.DistrictAdmin},
	EditOutcomes:   {db.DistrictAdmin, db.Teacher},
}

// Allowed reports whether role may take action. Public and Signed are
// decided by whether there is a session, before this is asked.
func Allowed(role db.Role, action Action) bool {
	if action == Public || action == Signed {
		return true
	}
	for _, r := range table[action] {
		if r == role {
			return true
		}
	}
	return false
}

// Known reports whether the action is in the table (or Public/Signed).
func Known(action Action) bool {
	if action == Public || action == Signed || action == DevMailbox {
		return true
	}
	_, ok := table[action]
	return ok
}
