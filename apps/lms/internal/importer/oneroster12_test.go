package importer

import (
	"archive/zip"
	"bytes"
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/roster"
)

// rosterTestdata reads a bundle from the roster package's testdata.
func rosterTestdata(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	path := filepath.Join("..", "roster", "testdata", dir)
	entries, err := os.ReadDir(path)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(path, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = data
	}
	return files
}

// applyFiles applies files as the upload page's default format does: the
// manifest decides version and mode, and the orgs are recorded.
func (d *district) applyFiles(actor db.Actor, files map[string][]byte) (*Plan, []roster.Problem, error) {
	d.t.Helper()
	f, _ := FormatNamed("oneroster")
	var p *Plan
	var problems []roster.Problem
	err := d.as(actor, func(s *db.Scope) error {
		var err error
		p, problems, err = f.Apply(context.Background(), s, roster.BytesFiles(files), nil)
		return err
	})
	return p, problems, err
}

func (d *district) mustApplyFiles(actor db.Actor, files map[string][]byte) *Plan {
	d.t.Helper()
	p, problems, err := d.applyFiles(actor, files)
	for _, pr := range problems {
		d.t.Errorf("parser problem: %s", pr)
	}
	if p != nil {
		for _, pr := range p.Problems {
			d.t.Errorf("plan problem: %s", pr)
		}
	}
	if err != nil {
		d.t.Fatalf("apply: %v", err)
	}
	return p
}

// lakeview12Creates is what the 1.2 fixture creates in an empty district:
// three terms (Algebra runs in both semesters at the high school, Life
// Science in the fall at the middle school), two courses, two sections,
// six people, seven roles (Okafor teaches at both schools; the principal
// is a school admin, her secondary teacher role is not imported), four
// enrollments and the Kims' guardian link.
var lakeview12Creates = map[string]Change{
	EntityTerm:         {Create: 3},
	EntityCourse:       {Create: 2},
	EntitySection:      {Create: 2},
	EntityUser:         {Create: 6},
	EntityMembership:   {Create: 7},
	EntityEnrollment:   {Create: 4},
	EntityGuardianLink: {Create: 1},
}

func lakeview(t *testing.T) (*district, db.Actor) {
	d := newDistrict(t)
	d.school("LHS", "Lakeview High")
	d.school("LMS", "Lakeview Middle")
	return d, d.user("admin@lakeview.example", db.DistrictAdmin, "")
}

func TestOneRoster12BulkImportsAndReimportsAsNoChange(t *testing.T) {
	d, admin := lakeview(t)
	files := rosterTestdata(t, "oneroster12")
	if f, ok := Detect(slices.Collect(func(yield func(string) bool) {
		for name := range files {
			if !yield(name) {
				return
			}
		}
	})); !ok || f.Name != "oneroster12" {
		t.Errorf("the 1.2 files were not detected as oneroster12")
	}

	plan := d.mustApplyFiles(admin, files)
	wantCounts(t, plan, lakeview12Creates)
	wantNote(t, plan, "1 role row names a role other than the user's primary one")
	wantNote(t, plan, "1 user profile is checked but not stored")
	wantNote(t, plan, "Demographics are checked but not stored.")

	if got := d.strings(`SELECT u.sourced_id || ' ' || u.display_name || ' ' || m.role || ' ' || coalesce(s.code, '-')
		FROM users u JOIN memberships m ON m.user_id = u.id LEFT JOIN schools s ON s.id = m.school_id WHERE u.sourced_id IS NOT NULL`); !slices.Equal(got, []string{
		"g1 Lee Kim guardian LHS", "u1 Rosa Garcia teacher LHS", "u2 Benjamin Okafor teacher LHS", "u2 Benjamin Okafor teacher LMS",
		"u3 Alex Kim student LHS", "u4 Jun Nguyễn student LMS", "u5 Maria Schmidt school_admin LHS",
	}) {
		t.Errorf("people = %q", got)
	}
	if got := d.strings(`SELECT sourced_id || ' ' || name FROM roster_orgs`); !slices.Equal(got, []string{"d1 Lakeview District", "s1 Lakeview High", "s2 Lakeview Middle"}) {
		t.Errorf("recorded orgs = %q", got)
	}

	before := d.snapshot()
	again := d.mustApplyFiles(admin, files)
	if !again.Empty() {
		t.Errorf("re-import writes %d rows: %+v", again.Total(), again.Items)
	}
	if after := d.snapshot(); !maps.Equal(before, after) {
		t.Errorf("re-import changed the database")
	}
}

// A delta applies exactly what it lists: a new student and their enrollment,
// a name change (the latest of two), a deactivation, one enrollment deleted
// and one class renamed. Everyone and everything it leaves out stays: a
// bulk bundle this small would have deactivated four people.
func TestOneRoster12DeltaAppliesOnlyListedChanges(t *testing.T) {
	d, admin := lakeview(t)
	d.mustApplyFiles(admin, rosterTestdata(t, "oneroster12"))
	enrolled := d.strings(`SELECT coalesce(sourced_id, '') FROM enrollments`)
	sectionTerms := d.one(`SELECT array_to_string(term_ids, ',') FROM sections WHERE sourced_id = 'k2'`)

	plan := d.mustApplyFiles(admin, rosterTestdata(t, "oneroster12-delta"))
	wantCounts(t, plan, map[string]Change{
		EntitySection:    {Update: 1},
		EntityUser:       {Create: 1, Update: 1, Deactivate: 1},
		EntityMembership: {Create: 1, Unchanged: 1},
		EntityEnrollment: {Create: 1, Delete: 1},
	})
	wantNote(t, plan, "This is a delta")
	wantNote(t, plan, "1 row of users.csv is superseded")

	if got := d.strings(`SELECT sourced_id || ' ' || family_name || ' ' || status FROM users WHERE sourced_id IS NOT NULL`); !slices.Equal(got, []string{
		"g1 Kim active", "u1 Garcia deactivated", "u2 Okafor active", "u3 Kim active", "u4 Nguyễn-Tran active", "u5 Schmidt active", "u6 Wójcik active",
	}) {
		t.Errorf("users after the delta = %q", got)
	}
	want := slices.DeleteFunc(slices.Clone(enrolled), func(id string) bool { return id == "e2" })
	want = append(want, "e5")
	slices.Sort(want)
	if got := d.strings(`SELECT coalesce(sourced_id, '') FROM enrollments`); !slices.Equal(got, want) {
		t.Errorf("enrollments after the delta = %q, want %q", got, want)
	}
	if got := d.one(`SELECT title || ' ' || array_to_string(term_ids, ',') FROM sections WHERE sourced_id = 'k2'`); got != "Life Science - Period 3 "+sectionTerms {
		t.Errorf("k2 = %q, want renamed with its term kept", got)
	}
	if got := d.one(`SELECT u.sourced_id || ' ' || m.role || ' ' || s.code FROM users u JOIN memberships m ON m.user_id = u.id JOIN schools s ON s.id = m.school_id WHERE u.sourced_id = 'u6'`); got != "u6 student LMS" {
		t.Errorf("u6 = %q", got)
	}

	again := d.mustApplyFiles(admin, rosterTestdata(t, "oneroster12-delta"))
	if !again.Empty() {
		t.Errorf("applying the delta twice writes %d rows: %+v", again.Total(), again.Items)
	}
}

// A delta naming rows Bellwork does not have is refused with one problem
// per row, and writes nothing.
func TestDeltaBeforeAnyImportReportsUnknownRows(t *testing.T) {
	d, admin := lakeview(t)
	before := d.snapshot()
	plan, problems, err := d.applyFiles(admin, rosterTestdata(t, "oneroster12-delta"))
	if len(problems) > 0 {
		t.Fatalf("parser problems: %v", problems)
	}
	wantErrProblems(t, plan, err)
	for _, want := range []roster.Problem{
		{File: "users.csv", Line: 2, Field: "sourcedId", Reason: `user "u4" is not in Bellwork yet and roles.csv gives them no role; add their role row to the delta`},
	} {
		wantProblem(t, plan.Problems, want)
	}
	joined := ""
	for _, p := range plan.Problems {
		joined += p.String() + "\n"
	}
	if !strings.Contains(joined, `org "s2" is not in orgs.csv`) {
		t.Errorf("problems do not name the unknown org:\n%s", joined)
	}
	if after := d.snapshot(); !maps.Equal(before, after) {
		t.Errorf("a refused delta changed the database")
	}
}

// A OneRoster 1.1 delta works the same way: after a bulk import, a delta
// marking one student tobedeleted and adding an enrollment changes just
// that, and its rows are taken in dateLastModified order.
func TestOneRoster11DeltaAppliesOnlyListedChanges(t *testing.T) {
	d := newDistrict(t)
	d.school("S1", "School A")
	d.school("S2", "School B")
	admin := d.user("admin@two.example", db.DistrictAdmin, "")
	files := twoSchoolBundle.files()
	files["manifest.csv"] = []byte("propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\n")
	files["orgs.csv"] = []byte("sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\nD,,,Two Rivers District,district,,\nA,,,School A,school,S1,D\nB,,,School B,school,S2,D\n")
	d.mustApplyFiles(admin, files)

	delta := map[string][]byte{
		"manifest.csv": []byte("propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.users,delta\nfile.enrollments,delta\nfile.orgs,absent\nfile.classes,absent\nfile.courses,absent\nfile.academicSessions,absent\n"),
		"users.csv": []byte("sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades\n" +
			"sb,tobedeleted,2025-03-02T00:00:00Z,true,B,student,sb,,Sue,Birch,,,sue@b.org,,,,05\n" +
			"sc,active,2025-03-01T00:00:00Z,true,A,student,sc,,Cy,Cole,,,cy@a.org,,,,05\n" +
			"sb,active,2025-03-01T00:00:00Z,true,B,student,sb,,Sue,Birch,,,sue@b.org,,,,05\n"),
		"enrollments.csv": []byte("sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n" +
			"EC,active,2025-03-01T00:00:00Z,KA,A,sc,student,false,,\n"),
	}
	plan := d.mustApplyFiles(admin, delta)
	wantCounts(t, plan, map[string]Change{
		EntityUser:       {Create: 1, Deactivate: 1},
		EntityMembership: {Create: 1},
		EntityEnrollment: {Create: 1},
	})
	if got := d.strings(`SELECT sourced_id || ' ' || status FROM users WHERE sourced_id IS NOT NULL`); !slices.Equal(got, []string{
		"ga active", "sa active", "sb deactivated", "sc active", "ta active", "tb active",
	}) {
		t.Errorf("users after the delta = %q", got)
	}
}

// A zipped 1.2 bundle uploaded without choosing a format is found to be
// OneRoster and read as 1.2 by its manifest; the preview is the same as for
// its CSV files.
func TestZipped12BundleIsDetectedAndPlanned(t *testing.T) {
	d, admin := lakeview(t)
	files := rosterTestdata(t, "oneroster12")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range files {
		w, err := zw.Create("export/" + name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	format, unzipped, err := Collect("", []Upload{{Name: "lakeview.zip", Body: bytes.NewReader(buf.Bytes()), Size: int64(buf.Len())}}, 1<<20)
	if err != nil || format.Name != "oneroster" || len(unzipped) != len(files) {
		t.Fatalf("collect: format %v, %d files, err %v", format, len(unzipped), err)
	}
	var plan *Plan
	err = d.as(admin, func(s *db.Scope) error {
		var problems []roster.Problem
		var err error
		plan, problems, err = format.Plan(context.Background(), s, unzipped)
		if len(problems) > 0 {
			t.Errorf("problems: %v", problems)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	wantCounts(t, plan, lakeview12Creates)
}
