package importer

import (
	"context"
	"fmt"
	"strings"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/roster"
)

// bundleFileOrder orders a OneRoster plan's problems as the parser orders its own.
var bundleFileOrder = []string{"manifest.csv", "orgs.csv", "academicSessions.csv", "courses.csv", "classes.csv",
	"users.csv", "userProfiles.csv", "roles.csv", "enrollments.csv", "demographics.csv"}

const tobedeleted = "tobedeleted"

// PlanOneRoster works out what importing b would change, writing nothing.
func PlanOneRoster(ctx context.Context, s *db.Scope, b *roster.Bundle) (*Plan, error) {
	p, _, err := planBundle(ctx, s, b)
	return p, err
}

// ApplyOneRoster re-plans and writes b (see applyPlan).
func ApplyOneRoster(ctx context.Context, s *db.Scope, b *roster.Bundle, progress func(done, total int)) (*Plan, error) {
	return applyPlan(ctx, s, "oneroster", func(ctx context.Context, s *db.Scope) (*Plan, *changes, error) {
		return planBundle(ctx, s, b)
	}, progress)
}

// checkActor refuses imports by anyone but admins (and the LMS itself).
func checkActor(s *db.Scope) error {
	switch s.Actor.Role {
	case db.DistrictAdmin, db.SchoolAdmin, db.System:
		return nil
	}
	return fmt.Errorf("import a roster as %s: %w", s.Actor.Role, db.ErrForbidden)
}

// bundlePlanner carries one planning pass over a bundle.
type bundlePlanner struct {
	planBase
	ctx context.Context
	s   *db.Scope
	b   *roster.Bundle

	orgs *orgMap

	classSchools []*school          // per class: its school, nil when it cannot be imported
	outside      map[string]*school // classes of schools the actor may not import, with their school
	courseRows   map[string]*roster.Course
	terms        map[termKey]string     // (school id, session sourcedId) -> term id
	courses      map[string]string      // course sourcedId -> id
	sections     map[string]*sectionRef // class sourcedId -> section
	users        map[string]*bundleUser // user sourcedId -> user
	pairs        []guardianPair
	userNames    map[string]string // user id -> display name, of users loaded

	skipped skipCounts
}

type termKey struct{ schoolID, sessionID string }

type sectionRef struct{ id, schoolID, title string }

// skipCounts are what the notes report.
type skipCounts struct {
	noEmail, skippedRoles, noRole, otherAgents            int
	deletedStructure, deletedUsersMissing, enrollmentRole int
	enrollmentRows, enrollmentsMerged, enrollmentUsers    int
	selfAbsent                                            bool
}

func planBundle(ctx context.Context, s *db.Scope, b *roster.Bundle) (*Plan, *changes, error) {
	base, err := newPlanBase(ctx, s, bundleFileOrder...)
	if err != nil {
		return nil, nil, fmt.Errorf("plan oneroster: %w", err)
	}
	bp := &bundlePlanner{planBase: base, ctx: ctx, s: s, b: b,
		outside: map[string]*school{}, courseRows: map[string]*roster.Course{}, terms: map[termKey]string{},
		courses: map[string]string{}, sections: map[string]*sectionRef{}, users: map[string]*bundleUser{}}
	orgs, err := withStoredOrgs(ctx, s, b)
	if err != nil {
		return nil, nil, fmt.Errorf("plan oneroster: %w", err)
	}
	bp.orgs = mapOrgs(orgs, base.schools)
	bp.orgs.heldBack = func(id string) bool { return b.HeldBack("orgs.csv", id) }
	// The known* and delta* steps do nothing for bulk bundles (see oneroster_delta.go).
	steps := []func() error{
		bp.resolveClasses,
		bp.planTerms,
		bp.knownTerms,
		bp.planCourses,
		bp.knownCourses,
		bp.planSections,
		bp.knownSections,
		bp.deltaRoles,
		bp.resolveUsers,
		bp.planUsers,
		bp.knownUsers,
		bp.planMemberships,
		bp.planGuardianLinks,
		bp.planEnrollments,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, nil, fmt.Errorf("plan oneroster: %w", err)
		}
	}
	bp.orgs.problems(bp.p, orgs)
	bp.notes()
	for _, d := range b.Demographics {
		bp.p.skip("demographics.csv", d.Line, "demographics are checked but not stored")
	}
	bp.p.tally(b.Rows)
	bp.p.finish()
	return bp.p, bp.c, nil
}

// outsideScope reports, as a Problem, a row of a school (nil: the district)
// that a school admin may not import, and returns true for it.
func (bp *bundlePlanner) outsideScope(sc *school, ref rowRef) bool {
	if bp.scope == nil || (sc != nil && sc.ID == bp.scope.ID) {
		return false
	}
	owner := "the district"
	if sc != nil {
		owner = fmt.Sprintf("school %q", sc.Name)
	}
	bp.p.problem(ref.file, ref.line, ref.field, "this row belongs to %s; a school admin of %q can only import %s's roster",
		owner, bp.scope.Name, bp.scope.Name)
	return true
}

func schoolID(sc *school) *string {
	if sc == nil {
		return nil
	}
	return &sc.ID
}

func (bp *bundlePlanner) notes() {
	k, p := bp.skipped, bp.p
	if k.noEmail > 0 {
		p.note("%s no e-mail address and cannot sign in until one is set.", plural(k.noEmail, "user has", "users have"))
	}
	if len(bp.b.Demographics) > 0 {
		p.note("Demographics are checked but not stored.")
	}
	if k.skippedRoles > 0 {
		p.note("%s aide or proctor and skipped: Bellwork has no such role.", plural(k.skippedRoles, "user is an", "users are an"))
	}
	if k.enrollmentRole > 0 {
		p.note("%s role administrator, aide or proctor and skipped: only teachers and students are enrolled in sections.",
			plural(k.enrollmentRole, "enrollment has", "enrollments have"))
	}
	if k.enrollmentsMerged > 0 {
		p.note("%s name the same person, class and role more than once (such as one per semester); they become %s, from the earliest start to the latest end.",
			plural(k.enrollmentRows, "enrollment row", "enrollment rows"), plural(k.enrollmentsMerged, "enrollment", "enrollments"))
	}
	if k.enrollmentUsers > 0 {
		p.note("%s skipped: they name users who are not imported (aides, proctors, or users marked tobedeleted who are not in Bellwork).",
			plural(k.enrollmentUsers, "enrollment was", "enrollments were"))
	}
	if k.otherAgents > 0 {
		p.note("%s in agentSourcedIds not a guardian, parent or relative of a student; Bellwork links only guardians to students, so they were not linked.",
			plural(k.otherAgents, "user named is", "users named are"))
	}
	if k.noRole > 0 {
		p.note("%s to no school in this district and get no role until one is added.", plural(k.noRole, "user belongs", "users belong"))
	}
	if k.deletedStructure > 0 {
		p.note("%s of academicSessions.csv, courses.csv or classes.csv marked tobedeleted: Bellwork keeps terms, courses and sections, so existing ones were left as they are and missing ones were not created.",
			plural(k.deletedStructure, "row is", "rows are"))
	}
	if k.deletedUsersMissing > 0 {
		p.note("%s tobedeleted but not in Bellwork; there is nothing to deactivate.", plural(k.deletedUsersMissing, "user is marked", "users are marked"))
	}
	if k.selfAbsent {
		p.note("You are not in this roster; your own account was left active.")
	}
	sharedNote(p, len(bp.sharedLeft))
	for _, n := range bp.b.Notes {
		p.note("%s", n)
	}
	if bp.b.Delta {
		p.note("This is a delta: only the changes it lists are applied; people, classes and enrollments it does not list stay as they are.")
	}
}

// roleLabel names an LMS role in a sentence.
func roleLabel(role string) string { return strings.ReplaceAll(role, "_", " ") }
