package importer

import (
	"context"
	"strings"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/roster"
)

// planFiles plans files as the upload page and the API do (Format.Plan).
func (d *district) planFiles(actor db.Actor, format string, files map[string][]byte) (*Plan, []roster.Problem) {
	d.t.Helper()
	f, ok := FormatNamed(format)
	if !ok {
		d.t.Fatalf("no format %q", format)
	}
	var p *Plan
	var problems []roster.Problem
	err := d.as(actor, func(s *db.Scope) error {
		var err error
		p, problems, err = f.Plan(context.Background(), s, roster.BytesFiles(files))
		return err
	})
	if err != nil {
		d.t.Fatalf("plan: %v", err)
	}
	return p, problems
}

// wantProblemAt finds a blocking problem by file, line and field, whose
// reason says what to fix (contains fix).
func wantProblemAt(t *testing.T, problems []roster.Problem, file string, line int, field, fix string) {
	t.Helper()
	for _, p := range problems {
		if p.File == file && p.Line == line && p.Field == field && !p.Warning && strings.Contains(p.Reason, fix) {
			return
		}
	}
	t.Errorf("no problem at %s line %d, %s, saying %q; got:", file, line, field, fix)
	for _, p := range problems {
		t.Logf("  %s", p)
	}
}

// One upload reports every problem it has, those the parser finds in four
// files and those found only while matching the bundle to the district
// (an org that is no school of the district, one e-mail for two people),
// each with its file, line, field and what to fix; nothing is written.
func TestAllProblemsAreReportedInOnePass(t *testing.T) {
	d := newDistrict(t)
	d.school("NM1", "North Middle")
	admin := d.user("admin@north.example", db.DistrictAdmin, "")
	files := loadBundleDir(t, "testdata/problems-everywhere")
	before := d.snapshot()

	p, problems := d.planFiles(admin, "oneroster", files)
	if p == nil {
		t.Fatalf("no plan, only the parser's problems: %v", problems)
	}
	if !p.Blocked() {
		t.Fatal("the plan is not blocked")
	}
	// Found while parsing.
	wantProblemAt(t, p.Problems, "classes.csv", 3, "courseSourcedId", `courseSourcedId "SCI" is not in courses.csv`)
	wantProblemAt(t, p.Problems, "users.csv", 3, "role", `"studnet"`)
	wantProblemAt(t, p.Problems, "enrollments.csv", 4, "beginDate", `"2025-13-01"`)
	// Found while planning.
	wantProblemAt(t, p.Problems, "orgs.csv", 3, "identifier", "matches no school in this district")
	wantProblemAt(t, p.Problems, "users.csv", 4, "email", "already used on line 2")
	errs, _ := roster.Split(p.Problems)
	if len(errs) != 5 {
		t.Errorf("want exactly the 5 problems, got %d:", len(errs))
		for _, e := range errs {
			t.Logf("  %s", e)
		}
	}

	// Applying refuses, with the same problems, and writes nothing.
	_, _, err := d.applyFiles(admin, files)
	if err == nil {
		t.Fatal("apply succeeded")
	}
	if after := d.snapshot(); len(after) != len(before) {
		t.Fatal("snapshot changed shape")
	} else {
		for table, v := range before {
			if after[table] != v {
				t.Errorf("%s changed: %s -> %s", table, v, after[table])
			}
		}
	}
}

// References to rows the parser left out for their own problems are not
// reported a second time by the planner: a bundle whose school org row is
// refused (it has no name) reports that row, not every class, user and
// enrollment of the school.
func TestPlannerSaysNothingMoreAboutRowsTheParserRefused(t *testing.T) {
	d := newDistrict(t)
	d.school("NM1", "North Middle")
	admin := d.user("admin@north.example", db.DistrictAdmin, "")
	files := loadBundleDir(t, "testdata/oneroster-no-courses")
	files["orgs.csv"] = []byte(strings.Replace(string(files["orgs.csv"]), "North Middle", "", 1))
	p, problems := d.planFiles(admin, "oneroster", files)
	if p == nil {
		t.Fatalf("no plan: %v", problems)
	}
	errs, _ := roster.Split(p.Problems)
	if len(errs) != 1 || errs[0].File != "orgs.csv" || errs[0].Line != 2 || errs[0].Field != "name" {
		t.Errorf("want only the org's own problem, got %v", errs)
	}
}

// A bundle whose manifest lists courses.csv but that lacks it (an export
// that left the file out) is not refused: each course its classes name is
// made from its first class, the warning names them and says the manifest
// listed the file, and no class or enrollment is dropped (1.2: in the
// roster package's TestListedButMissingCoursesAreMadeFromClasses12).
func TestMissingCoursesListedInTheManifestAreMadeFromClasses(t *testing.T) {
	for _, manifest := range []string{"propertyName,value\noneroster.version,1.1\nfile.courses,bulk\n"} {
		files := loadBundleDir(t, "testdata/oneroster-no-courses")
		files["manifest.csv"] = []byte(manifest)
		b, problems := roster.ParseOneRosterBundle(files)
		errs, warnings := roster.Split(problems)
		if len(errs) != 0 || b == nil {
			t.Fatalf("%q: refused: %v", manifest, errs)
		}
		wantProblem(t, warnings, roster.Problem{File: "courses.csv", Warning: true,
			Reason: `courses.csv is missing, although manifest.csv lists it as bulk; each course the classes name (courseSourcedId "MATH") was made from its first class (its title and school)`})
		// MATH from its first class, and the homeroom's own (it names no course).
		if len(b.Courses) != 2 || b.Courses[0].SourcedID != "MATH" || len(b.Classes) != 3 || len(b.Enrollments) != 7 {
			t.Errorf("%q: courses %+v, %d classes, %d enrollments", manifest, b.Courses, len(b.Classes), len(b.Enrollments))
		}
	}
}
