package importer

import (
	"maps"
	"slices"
	"testing"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/roster"
)

// edfiCreates is what importing the Ed-Fi sample into an empty district
// creates: the two semesters the classes name (not the school year, which
// only courses name), two district-wide courses, two sections, eight
// students and two teachers with one role each, and 24 enrollment rows that
// name 12 (class, user, role) places, one per semester each.
var edfiCreates = map[string]Change{
	EntityTerm:       {Create: 2},
	EntityCourse:     {Create: 2},
	EntitySection:    {Create: 2},
	EntityUser:       {Create: 10},
	EntityMembership: {Create: 10},
	EntityEnrollment: {Create: 12},
}

var edfiUnchanged = map[string]Change{
	EntityTerm:       {Unchanged: 2},
	EntityCourse:     {Unchanged: 2},
	EntitySection:    {Unchanged: 2},
	EntityUser:       {Unchanged: 10},
	EntityMembership: {Unchanged: 10},
	EntityEnrollment: {Unchanged: 12},
}

func TestEdfiSampleImportsOnceAndReimportsAsNoChange(t *testing.T) {
	d := newDistrict(t)
	school := d.school("255901001", "Grand Bend High School")
	admin := d.user("admin@grandbend.org", db.DistrictAdmin, "")
	b := parse(t, loadEdfi(t))

	plan := d.plan(admin, b)
	if len(plan.Problems) > 0 {
		t.Fatalf("problems: %v", plan.Problems)
	}
	wantCounts(t, plan, edfiCreates)
	if plan.Total() != 38 || plan.Empty() {
		t.Errorf("Total = %d, Empty = %v; want 38 rows to write", plan.Total(), plan.Empty())
	}
	mary := Item{EntityUser, ActionCreate, "Mary Archer <mary.archer@studentgps.org>", "student at Grand Bend High School"}
	if !slices.Contains(plan.Items, mary) {
		t.Errorf("items lack %+v: %+v", mary, plan.Items)
	}
	wantNote(t, plan, "Demographics are checked but not stored.")
	wantNote(t, plan, "24 enrollment rows name the same person, class and role more than once")

	started := time.Now()
	applied := d.mustApply(admin, b)
	t.Logf("Ed-Fi sample: first apply took %s", time.Since(started))
	wantCounts(t, applied, edfiCreates)

	if got := d.strings(`SELECT coalesce(school_id::text, 'district') || ' ' || title || ' ' || array_to_string(grades, ',') FROM courses`); !slices.Equal(got,
		[]string{"district Algebra I 9", "district English I 9"}) {
		t.Errorf("courses = %q, want two district-wide ones", got)
	}
	if got := d.strings(`SELECT s.title || ' ' || s.period || ' ' || (SELECT string_agg(t.name, '+' ORDER BY t.starts_on) FROM terms t WHERE t.id = ANY (s.term_ids))
		FROM sections s WHERE s.school_id = $1`, school); !slices.Equal(got,
		[]string{"ALG-1 2 2020-2021 Fall Semester+2020-2021 Spring Semester", "ENG-1 1 2020-2021 Fall Semester+2020-2021 Spring Semester"}) {
		t.Errorf("sections = %q", got)
	}
	if got := d.one(`SELECT display_name || ' ' || grade || ' ' || username || ' ' || sourced_id || ' ' || status FROM users WHERE email = 'mary.archer@studentgps.org'`); got != "Mary Archer 9 Mary Archer 604863 active" {
		t.Errorf("Mary = %q", got)
	}
	if got := d.strings(`SELECT u.sourced_id || ' ' || e.role || ' ' || e.is_primary || ' ' || e.begins_on || ' ' || e.ends_on
		FROM enrollments e JOIN users u ON u.id = e.user_id JOIN sections s ON s.id = e.section_id WHERE s.title = 'ALG-1' AND e.role = 'teacher'`); !slices.Equal(got,
		[]string{"207270 teacher true 2020-08-17 2021-05-28"}) {
		t.Errorf("ALG-1 teachers = %q, want the fall and spring rows merged", got)
	}

	before := d.snapshot()
	again := d.plan(admin, b)
	if !again.Empty() || len(again.Items) != 0 || len(again.Problems) != 0 {
		t.Errorf("second plan is not empty: %+v", again.Items)
	}
	wantCounts(t, again, edfiUnchanged)
	calls := 0
	reapplied, err := d.apply(admin, b, func(done, total int) { calls++ })
	if err != nil {
		t.Fatal(err)
	}
	if !reapplied.Empty() || calls != 0 {
		t.Errorf("second apply: empty %v, progress calls %d", reapplied.Empty(), calls)
	}
	if after := d.snapshot(); !maps.Equal(before, after) {
		t.Errorf("second apply wrote rows:\n before %v\n after  %v", before, after)
	}
}

func TestStudentLeftOutOfTheBundleIsDeactivatedAndTheirEnrollmentsDeleted(t *testing.T) {
	d := newDistrict(t)
	gbhs := d.school("255901001", "Grand Bend High School")
	other := d.school("OTHER", "Other High")
	admin := d.user("admin@grandbend.org", db.DistrictAdmin, "")
	// Imported earlier by another school's bundle: one at Other High only,
	// one teaching at both schools. Neither is in this bundle.
	elsewhere := d.user("elsewhere@other.org", db.Teacher, other)
	both := d.user("both@other.org", db.Teacher, other)
	d.one(`INSERT INTO memberships (user_id, role, school_id) VALUES ($1, 'teacher', $2) RETURNING id::text`, both.UserID, gbhs)
	d.one(`UPDATE users SET sourced_id = 'X-' || id WHERE id IN ($1, $2) RETURNING 'ok'`, elsewhere.UserID, both.UserID)
	files := loadEdfi(t)
	d.mustApply(admin, parse(t, files))

	// Peter Nash (604918) leaves: his users.csv row and both his enrollment rows go.
	without := withoutLines(withoutLines(files, "users.csv", "604918,"), "enrollments.csv", ",604918,")
	plan := d.plan(admin, parse(t, without))
	wantCounts(t, plan, map[string]Change{
		EntityTerm:       {Unchanged: 2},
		EntityCourse:     {Unchanged: 2},
		EntitySection:    {Unchanged: 2},
		EntityUser:       {Deactivate: 1, Unchanged: 9},
		EntityMembership: {Unchanged: 9},
		EntityEnrollment: {Delete: 1, Unchanged: 11},
	})
	peter := Item{EntityUser, ActionDeactivate, "Peter Nash <peter.nash@studentgps.org>", "not in users.csv"}
	if !slices.Contains(plan.Items, peter) {
		t.Errorf("items lack %+v: %+v", peter, plan.Items)
	}
	enrollment := Item{EntityEnrollment, ActionDelete, "Peter Nash in ALG-1", "student, 2020-08-17 to 2021-05-28; not in enrollments.csv"}
	if !slices.Contains(plan.Items, enrollment) {
		t.Errorf("items lack %+v: %+v", enrollment, plan.Items)
	}
	d.mustApply(admin, parse(t, without))
	if got := d.strings(`SELECT email || ' ' || status FROM users WHERE email LIKE '%@other.org'`); !slices.Equal(got,
		[]string{"both@other.org active", "elsewhere@other.org active"}) {
		t.Errorf("users of another school = %q, want them left alone", got)
	}
	if got := d.one(`SELECT status FROM users WHERE sourced_id = '604918'`); got != "deactivated" {
		t.Errorf("Peter's status = %q", got)
	}
	if got := d.one(`SELECT count(*)::text FROM enrollments e JOIN users u ON u.id = e.user_id WHERE u.sourced_id = '604918'`); got != "0" {
		t.Errorf("Peter keeps %s enrollments", got)
	}
	if got := d.one(`SELECT count(*)::text FROM enrollments`); got != "11" {
		t.Errorf("%s enrollments, want 11", got)
	}
	// The admin, who has no sourcedId, was never the import's to deactivate.
	if got := d.one(`SELECT status FROM users WHERE email = 'admin@grandbend.org'`); got != "active" {
		t.Errorf("admin status = %q", got)
	}

	// Back in the bundle, Peter is reactivated and re-enrolled.
	back := d.plan(admin, parse(t, files))
	if c := back.Counts[EntityUser]; c.Update != 1 || c.Unchanged != 9 {
		t.Errorf("users on return: %+v, want Peter updated", c)
	}
	if c := back.Counts[EntityEnrollment]; c.Create != 1 || c.Unchanged != 11 {
		t.Errorf("enrollments on return: %+v", c)
	}
}

func TestUnmatchedSchoolIsAProblemAndNothingIsWritten(t *testing.T) {
	d := newDistrict(t)
	// Two schools, neither the sample's: no code, name or one-to-one match.
	d.school("LHS", "Lincoln High")
	d.school("WHS", "Washington High")
	admin := d.user("admin@district.org", db.DistrictAdmin, "")
	b := parse(t, loadEdfi(t))

	plan := d.plan(admin, b)
	wantProblem(t, plan.Problems, roster.Problem{File: "orgs.csv", Line: 3, Field: "identifier",
		Reason: `school "Grand Bend High School" (sourcedId 255901001) matches no school in this district; ask your platform team to add a School with code 255901001, or set this org's identifier to the school's code`})
	if len(plan.Problems) != 1 {
		t.Errorf("want the one problem, once: %v", plan.Problems)
	}

	before := d.snapshot()
	p, err := d.apply(admin, b, nil)
	wantErrProblems(t, p, err)
	if after := d.snapshot(); !maps.Equal(before, after) {
		t.Errorf("apply with problems wrote rows:\n before %v\n after  %v", before, after)
	}
}

func TestLoneSchoolOrgMapsToTheDistrictsOnlySchool(t *testing.T) {
	d := newDistrict(t)
	school := d.school("GB", "GBHS")
	admin := d.user("admin@grandbend.org", db.DistrictAdmin, "")
	d.mustApply(admin, parse(t, loadEdfi(t)))
	if got := d.one(`SELECT count(*)::text FROM sections WHERE school_id = $1`, school); got != "2" {
		t.Errorf("%s sections at the only school, want 2", got)
	}
}

// guardianBundle has a school with one class: a student whose agents are a
// parent and a guardian, a guardian whose agent is a second student (who
// has no e-mail address), a teacher who names a student as an agent, and
// an aide enrolled in the class.
var guardianBundle = smallBundle{
	orgs:     []string{"D,,,Lakeside District,district,,", "S,,,Lakeside Middle,school,LMS,D"},
	sessions: []string{"T1,,,Fall 2025,term,2025-08-18,2025-12-19,,2026"},
	courses:  []string{"C1,,,,Science 7,SCI7,07,S,Science"},
	classes:  []string{"K1,,,Science 7 - P3,07,C1,SCI7-3,scheduled,Room 12,S,T1,Science,3"},
	users: []string{
		"st1,,,true,S,student,ava,,Ava,Stone,,,ava@lakeside.org,,,\"p1,g1\",07",
		"st2,,,true,S,student,ben,,Ben,Stone,,,,,,,07",
		"g1,,,true,D,guardian,gina,,Gina,Stone,,,gina@home.example,,,st2,",
		"p1,,,true,,parent,paul,,Paul,Stone,,,paul@home.example,,,,",
		"t1,,,true,S,teacher,tom,,Tom,Reed,,,tom@lakeside.org,,,st1,",
		"a1,,,true,S,aide,amy,,Amy,Hall,,,amy@lakeside.org,,,,",
	},
	enrollments: []string{
		"E1,,,K1,S,t1,teacher,true,,",
		"E2,,,K1,S,st1,student,false,2025-08-18,",
		"E3,,,K1,S,st2,student,false,2025-08-18,",
		"E4,,,K1,S,a1,aide,false,,",
	},
}

func TestGuardiansAreLinkedToTheirStudentsAndAidesSkipped(t *testing.T) {
	d := newDistrict(t)
	d.school("LMS", "Lakeside Middle")
	admin := d.user("admin@lakeside.org", db.DistrictAdmin, "")
	b := parse(t, guardianBundle.files())

	plan := d.plan(admin, b)
	if len(plan.Problems) > 0 {
		t.Fatalf("problems: %v", plan.Problems)
	}
	wantCounts(t, plan, map[string]Change{
		EntityTerm:         {Create: 1},
		EntityCourse:       {Create: 1},
		EntitySection:      {Create: 1},
		EntityUser:         {Create: 5},
		EntityMembership:   {Create: 5},
		EntityEnrollment:   {Create: 3},
		EntityGuardianLink: {Create: 3},
	})
	wantNote(t, plan, "1 user is an aide or proctor and skipped")
	wantNote(t, plan, "1 enrollment has role administrator, aide or proctor and skipped")
	wantNote(t, plan, "1 user named is in agentSourcedIds not a guardian") // the teacher's agent
	wantNote(t, plan, "1 user has no e-mail address and cannot sign in until one is set.")
	gina := Item{EntityUser, ActionCreate, "Gina Stone <gina@home.example>", "guardian at Lakeside Middle"}
	if !slices.Contains(plan.Items, gina) {
		t.Errorf("items lack %+v: %+v", gina, plan.Items)
	}

	d.mustApply(admin, b)
	if got := d.strings(`SELECT g.email || ' -> ' || s.email FROM guardian_links l JOIN users g ON g.id = l.guardian_id JOIN users s ON s.id = l.student_id`); !slices.Equal(got,
		[]string{"gina@home.example -> ava@lakeside.org", "gina@home.example -> st2@noemail.invalid", "paul@home.example -> ava@lakeside.org"}) {
		t.Errorf("guardian links = %q", got)
	}
	// Paul's only org is empty: he is a guardian at his student's school.
	if got := d.strings(`SELECT u.email || ' ' || m.role || ' ' || sc.code FROM memberships m JOIN users u ON u.id = m.user_id
		JOIN schools sc ON sc.id = m.school_id WHERE m.role = 'guardian'`); !slices.Equal(got,
		[]string{"gina@home.example guardian LMS", "paul@home.example guardian LMS"}) {
		t.Errorf("guardian memberships = %q", got)
	}
	if got := d.one(`SELECT count(*)::text FROM users WHERE email = 'amy@lakeside.org'`); got != "0" {
		t.Errorf("the aide was imported")
	}
	if again := d.plan(admin, b); !again.Empty() {
		t.Errorf("second plan is not empty: %+v", again.Items)
	}
}

// twoSchoolBundle has a class, a student, a guardian and a teacher at each
// of schools A and B, and school-level courses.
var twoSchoolBundle = smallBundle{
	orgs:     []string{"D,,,Two Rivers District,district,,", "A,,,School A,school,,D", "B,,,School B,school,,D"},
	sessions: []string{"T1,,,Year,schoolYear,2025-08-18,2026-05-29,,2026"},
	courses:  []string{"CA,,,,Math A,MA,,A,", "CB,,,,Math B,MB,,B,"},
	classes: []string{
		"KA,,,Math A1,,CA,MA1,scheduled,,A,T1,,1",
		"KB,,,Math B1,,CB,MB1,scheduled,,B,T1,,1",
	},
	users: []string{
		"sa,,,true,A,student,sa,,Sam,Ash,,,sam@a.org,,,,05",
		"ga,,,true,A,guardian,ga,,Gus,Ash,,,gus@home.example,,,sa,",
		"ta,,,true,A,teacher,ta,,Tia,Ames,,,tia@a.org,,,,",
		"sb,,,true,B,student,sb,,Sue,Birch,,,sue@b.org,,,,05",
		"tb,,,true,B,teacher,tb,,Tod,Burr,,,tod@b.org,,,,",
	},
	enrollments: []string{
		"EA1,,,KA,A,ta,teacher,true,,",
		"EA2,,,KA,A,sa,student,,,",
		"EB1,,,KB,B,tb,teacher,true,,",
		"EB2,,,KB,B,sb,student,,,",
	},
}

func TestSchoolAdminCannotImportAnotherSchoolsRows(t *testing.T) {
	d := newDistrict(t)
	a := d.school("A", "School A")
	d.school("B", "School B")
	adminA := d.user("admin@a.org", db.SchoolAdmin, a)
	b := parse(t, twoSchoolBundle.files())

	plan := d.plan(adminA, b)
	const reason = `this row belongs to school "School B"; a school admin of "School A" can only import School A's roster`
	for _, want := range []roster.Problem{
		{File: "courses.csv", Line: 3, Field: "orgSourcedId", Reason: reason},
		{File: "classes.csv", Line: 3, Field: "schoolSourcedId", Reason: reason},
		{File: "users.csv", Line: 5, Field: "orgSourcedIds", Reason: reason},
		{File: "users.csv", Line: 6, Field: "orgSourcedIds", Reason: reason},
		{File: "enrollments.csv", Line: 4, Field: "classSourcedId", Reason: reason},
		{File: "enrollments.csv", Line: 5, Field: "classSourcedId", Reason: reason},
	} {
		wantProblem(t, plan.Problems, want)
	}
	if len(plan.Problems) != 6 {
		t.Errorf("got %d problems, want 6: %v", len(plan.Problems), plan.Problems)
	}
	before := d.snapshot()
	p, err := d.apply(adminA, b, nil)
	wantErrProblems(t, p, err)
	if after := d.snapshot(); !maps.Equal(before, after) {
		t.Errorf("apply with problems wrote rows")
	}

	// School A's own rows import, through row-level security, as its admin.
	onlyA := twoSchoolBundle
	onlyA.orgs = onlyA.orgs[:2]
	onlyA.courses, onlyA.classes = onlyA.courses[:1], onlyA.classes[:1]
	onlyA.users, onlyA.enrollments = onlyA.users[:3], onlyA.enrollments[:2]
	applied := d.mustApply(adminA, parse(t, onlyA.files()))
	wantCounts(t, applied, map[string]Change{
		EntityTerm:         {Create: 1},
		EntityCourse:       {Create: 1},
		EntitySection:      {Create: 1},
		EntityUser:         {Create: 3},
		EntityMembership:   {Create: 3},
		EntityEnrollment:   {Create: 2},
		EntityGuardianLink: {Create: 1},
	})
	if again := d.plan(adminA, parse(t, onlyA.files())); !again.Empty() {
		t.Errorf("second plan as school admin is not empty: %+v", again.Items)
	}
}

func TestSchoolAdminCannotCreateDistrictWideCourses(t *testing.T) {
	d := newDistrict(t)
	school := d.school("255901001", "Grand Bend High School")
	sadmin := d.user("admin@gbhs.org", db.SchoolAdmin, school)
	plan := d.plan(sadmin, parse(t, loadEdfi(t)))
	wantProblem(t, plan.Problems, roster.Problem{File: "courses.csv", Line: 2, Field: "orgSourcedId",
		Reason: `course "Algebra I" is district-wide (orgSourcedId 255901 is not a school); only a district admin can create or change district-wide courses`})
}
