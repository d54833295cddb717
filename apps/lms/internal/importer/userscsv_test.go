package importer

import (
	"context"
	"maps"
	"slices"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/roster"
)

func parseUsers(t *testing.T, csv string) []roster.UserRow {
	t.Helper()
	rows, problems := roster.ParseUsersCSV("users.csv", []byte(csv))
	for _, p := range problems {
		t.Errorf("parser problem: %s", p)
	}
	if len(problems) > 0 {
		t.FailNow()
	}
	return rows
}

func (d *district) planUsers(actor db.Actor, rows []roster.UserRow) *Plan {
	d.t.Helper()
	var p *Plan
	err := d.as(actor, func(s *db.Scope) error {
		var err error
		p, err = PlanUsersCSV(context.Background(), s, rows)
		return err
	})
	if err != nil {
		d.t.Fatalf("plan users csv: %v", err)
	}
	return p
}

func (d *district) applyUsers(actor db.Actor, rows []roster.UserRow) (*Plan, error) {
	d.t.Helper()
	var p *Plan
	err := d.as(actor, func(s *db.Scope) error {
		var err error
		p, err = ApplyUsersCSV(context.Background(), s, rows, nil)
		return err
	})
	return p, err
}

const usersHeader = "email,given_name,family_name,role,school_code,grade,guardian_of\n"

func TestUsersCSVCreatesUpdatesAndLinksGuardiansIdempotently(t *testing.T) {
	d := newDistrict(t)
	lhs := d.school("LHS", "Lincoln High")
	admin := d.user("admin@district.org", db.DistrictAdmin, "")
	// A student already in Bellwork, named by a guardian below.
	d.user("old.student@lhs.org", db.Student, lhs)

	csv := usersHeader +
		"Tia.Ames@LHS.org,Tia,Ames,teacher,LHS,,\n" +
		"sam@lhs.org,Sam,Ash,student,LHS,07,\n" +
		"gus@home.example,Gus,Ash,guardian,,,sam@lhs.org;old.student@lhs.org\n" +
		"dana@district.org,Dana,Diaz,district_admin,,,\n"
	rows := parseUsers(t, csv)
	plan := d.planUsers(admin, rows)
	if len(plan.Problems) > 0 {
		t.Fatalf("problems: %v", plan.Problems)
	}
	wantCounts(t, plan, map[string]Change{
		EntityUser:         {Create: 4},
		EntityMembership:   {Create: 4},
		EntityGuardianLink: {Create: 2},
	})
	// Items follow the file.
	var users []string
	for _, it := range plan.Items {
		if it.Entity == EntityUser {
			users = append(users, it.Name+": "+it.Detail)
		}
	}
	if want := []string{
		"Tia Ames <tia.ames@lhs.org>: teacher at Lincoln High",
		"Sam Ash <sam@lhs.org>: student at Lincoln High",
		"Gus Ash <gus@home.example>: guardian at Lincoln High",
		"Dana Diaz <dana@district.org>: district admin",
	}; !slices.Equal(users, want) {
		t.Errorf("user items:\n got  %q\n want %q", users, want)
	}

	if _, err := d.applyUsers(admin, rows); err != nil {
		t.Fatal(err)
	}
	if got := d.strings(`SELECT g.email || ' -> ' || s.email FROM guardian_links l JOIN users g ON g.id = l.guardian_id JOIN users s ON s.id = l.student_id`); !slices.Equal(got,
		[]string{"gus@home.example -> old.student@lhs.org", "gus@home.example -> sam@lhs.org"}) {
		t.Errorf("guardian links = %q", got)
	}
	if got := d.one(`SELECT display_name || ' ' || grade FROM users WHERE email = 'sam@lhs.org'`); got != "Sam Ash 7" {
		t.Errorf("Sam = %q", got)
	}
	if got := d.one(`SELECT coalesce(school_id::text, 'none') FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = 'dana@district.org'`); got != "none" {
		t.Errorf("district admin's school = %q", got)
	}

	before := d.snapshot()
	again := d.planUsers(admin, rows)
	if !again.Empty() {
		t.Errorf("second plan is not empty: %+v", again.Items)
	}
	wantCounts(t, again, map[string]Change{
		EntityUser:         {Unchanged: 4},
		EntityMembership:   {Unchanged: 4},
		EntityGuardianLink: {Unchanged: 2},
	})
	if _, err := d.applyUsers(admin, rows); err != nil {
		t.Fatal(err)
	}
	if after := d.snapshot(); !maps.Equal(before, after) {
		t.Errorf("second apply wrote rows")
	}

	// Tia married: her family name changes, nothing else; an empty grade keeps Sam's.
	renamed := parseUsers(t, usersHeader+"tia.ames@lhs.org,Tia,Ames-Cole,teacher,LHS,,\nsam@lhs.org,Sam,Ash,student,LHS,,\n")
	plan = d.planUsers(admin, renamed)
	wantCounts(t, plan, map[string]Change{
		EntityUser:       {Update: 1, Unchanged: 1},
		EntityMembership: {Unchanged: 2},
	})
	want := Item{EntityUser, ActionUpdate, "Tia Ames-Cole <tia.ames@lhs.org>", "changes family name"}
	if !slices.Equal(plan.Items, []Item{want}) {
		t.Errorf("items = %+v, want %+v", plan.Items, want)
	}
	if _, err := d.applyUsers(admin, renamed); err != nil {
		t.Fatal(err)
	}
	if got := d.one(`SELECT display_name FROM users WHERE email = 'tia.ames@lhs.org'`); got != "Tia Ames-Cole" {
		t.Errorf("Tia = %q", got)
	}
	if got := d.one(`SELECT grade FROM users WHERE email = 'sam@lhs.org'`); got != "7" {
		t.Errorf("Sam's grade = %q, want it kept", got)
	}
}

func TestUsersCSVUnknownSchoolAndStudentAreProblems(t *testing.T) {
	d := newDistrict(t)
	lhs := d.school("LHS", "Lincoln High")
	d.school("WHS", "Washington High")
	admin := d.user("admin@district.org", db.DistrictAdmin, "")
	d.user("tia@lhs.org", db.Teacher, lhs)
	rows := parseUsers(t, usersHeader+
		"sam@lhs.org,Sam,Ash,student,LHX,,\n"+
		"gus@home.example,Gus,Ash,guardian,LHS,,nobody@lhs.org;tia@lhs.org\n"+
		"ok@lhs.org,Ok,Fine,student,LHS,,\n")

	plan := d.planUsers(admin, rows)
	for _, want := range []roster.Problem{
		{File: "users.csv", Line: 2, Field: "school_code", Reason: `school_code "LHX" matches no school in this district; use one of LHS, WHS`},
		{File: "users.csv", Line: 3, Field: "guardian_of", Reason: "guardian_of nobody@lhs.org is not a student in this file or in Bellwork; add them as a student first"},
		{File: "users.csv", Line: 3, Field: "guardian_of", Reason: "guardian_of tia@lhs.org is not a student in this file or in Bellwork; add them as a student first"},
	} {
		wantProblem(t, plan.Problems, want)
	}
	if len(plan.Problems) != 3 {
		t.Errorf("got %d problems, want 3: %v", len(plan.Problems), plan.Problems)
	}
	before := d.snapshot()
	p, err := d.applyUsers(admin, rows)
	wantErrProblems(t, p, err)
	if after := d.snapshot(); !maps.Equal(before, after) {
		t.Errorf("apply with problems wrote rows")
	}
}

func TestSchoolAdminsUsersCSVIsLimitedToTheirSchool(t *testing.T) {
	d := newDistrict(t)
	a := d.school("A", "School A")
	b := d.school("B", "School B")
	adminA := d.user("admin@a.org", db.SchoolAdmin, a)
	d.user("sue@b.org", db.Student, b)

	rows := parseUsers(t, usersHeader+"tod@b.org,Tod,Burr,teacher,B,,\nboss@a.org,Bo,Ss,district_admin,,,\n")
	plan := d.planUsers(adminA, rows)
	wantProblem(t, plan.Problems, roster.Problem{File: "users.csv", Line: 2, Field: "school_code",
		Reason: `this row belongs to school "School B"; a school admin of "School A" can only import School A's roster`})
	wantProblem(t, plan.Problems, roster.Problem{File: "users.csv", Line: 3, Field: "role",
		Reason: `this row belongs to the district; a school admin of "School A" can only import School A's roster`})

	// Sue exists at school B only, out of school A's admin's sight: the plan
	// would create her, and Apply turns the clash into a problem on her row,
	// leaving the transaction usable and nothing written.
	clash := parseUsers(t, usersHeader+"ann@a.org,Ann,Ash,student,A,,\nsue@b.org,Sue,Birch,student,A,,\n")
	before := d.snapshot()
	err := d.as(adminA, func(s *db.Scope) error {
		p, err := ApplyUsersCSV(context.Background(), s, clash, nil)
		wantErrProblems(t, p, err)
		wantProblem(t, p.Problems, roster.Problem{File: "users.csv", Line: 3, Field: "email",
			Reason: "sue@b.org is already a user you cannot see, at another school (by e-mail address or sourcedId); ask a district admin to import this row"})
		var n int
		if err := s.Tx.QueryRow(context.Background(), `SELECT count(*) FROM users WHERE email = 'ann@a.org'`).Scan(&n); err != nil {
			t.Errorf("transaction unusable after the clash: %v", err)
		} else if n != 0 {
			t.Errorf("Ann was written although the import failed")
		}
		return nil // commit: nothing of the import may remain
	})
	if err != nil {
		t.Fatal(err)
	}
	if after := d.snapshot(); !maps.Equal(before, after) {
		t.Errorf("failed apply left rows behind")
	}
}

// A school admin's file may list people who are also district admins or at
// another school: row-level security keeps their accounts and roles from
// the school admin, so the plan leaves those alone and says so, and the
// import applies instead of failing on them.
func TestSchoolAdminsImportLeavesSharedPeopleAlone(t *testing.T) {
	d := newDistrict(t)
	a := d.school("A", "School A")
	b := d.school("B", "School B")
	adminA := d.user("admin@a.org", db.SchoolAdmin, a)
	shared := d.user("pat@ab.org", db.Teacher, a)
	d.one(`INSERT INTO memberships (user_id, role, school_id) VALUES ($1, 'teacher', $2) RETURNING user_id`, shared.UserID, b)

	// Pat's name differs in the file, and the file gives Pat a new role at A.
	rows := parseUsers(t, usersHeader+"pat@ab.org,Patricia,Other,school_admin,A,,\nnew@a.org,New,Teacher,teacher,A,,\n")
	plan := d.planUsers(adminA, rows)
	if len(plan.Problems) > 0 {
		t.Fatalf("problems: %+v", plan.Problems)
	}
	wantNote(t, plan, "1 person is also a district admin or at another school")
	if _, err := d.applyUsers(adminA, rows); err != nil {
		t.Fatalf("apply with a shared person: %v", err)
	}
	if got := d.strings(`SELECT given_name FROM users WHERE email = 'pat@ab.org'`); len(got) != 1 || got[0] == "Patricia" {
		t.Errorf("the shared person's account was changed: %v", got)
	}
	if got := d.strings(`SELECT email FROM users WHERE email = 'new@a.org'`); len(got) != 1 {
		t.Errorf("the rest of the file was not applied: %v", got)
	}
	if got := d.strings(`SELECT role FROM memberships WHERE user_id = $1 ORDER BY role`, shared.UserID); len(got) != 2 || got[0] != "teacher" {
		t.Errorf("the shared person's roles were changed: %v", got)
	}
}
