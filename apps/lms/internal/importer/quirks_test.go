package importer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/roster"
	"bellwork.dev/bellwork/apps/lms/internal/settings"
	"bellwork.dev/bellwork/internal/dev/fixtures"
)

// loadBundleDir reads every CSV file of a bundle folder.
func loadBundleDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
	if len(paths) == 0 {
		t.Fatalf("no CSV files in %s", dir)
	}
	files := map[string][]byte{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(p)] = data
	}
	return files
}

// parseLenient parses a bundle that may have warnings but nothing blocking.
func parseLenient(t *testing.T, files map[string][]byte) (*roster.Bundle, []roster.Problem) {
	t.Helper()
	b, problems := roster.ParseOneRoster(files)
	errs, warnings := roster.Split(problems)
	for _, p := range errs {
		t.Errorf("blocking problem: %s", p)
	}
	if len(errs) > 0 {
		t.FailNow()
	}
	return b, warnings
}

// dataRows counts a CSV file's data rows independently of the parser:
// non-empty physical lines after the header (the fixtures quote no line
// breaks).
func dataRows(data []byte) int {
	n := 0
	for i, line := range strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n") {
		if i > 0 && strings.TrimSpace(line) != "" {
			n++
		}
	}
	return n
}

// wantEveryRowAccounted checks the plan's accounting for every file of the
// bundle: rows read (counted here, not by the parser) = imported + skipped,
// each skip naming its file, a line and a reason.
func wantEveryRowAccounted(t *testing.T, files map[string][]byte, p *Plan) {
	t.Helper()
	tallies := map[string]FileTally{}
	for _, f := range p.Files {
		tallies[f.File] = f
	}
	for name, data := range files {
		if name == "manifest.csv" {
			continue
		}
		f, ok := tallies[name]
		if !ok {
			t.Errorf("%s: no accounting in the plan", name)
			continue
		}
		if want := dataRows(data); f.Read != want {
			t.Errorf("%s: read %d rows, the file has %d", name, f.Read, want)
		}
		if f.Read != f.Imported+f.Skipped || len(f.Skips) != f.Skipped {
			t.Errorf("%s: read %d != imported %d + skipped %d (%d listed)", name, f.Read, f.Imported, f.Skipped, len(f.Skips))
		}
		for _, s := range f.Skips {
			if s.File != name || s.Line < 2 || s.Reason == "" {
				t.Errorf("%s: skip without file, line or reason: %+v", name, s)
			}
		}
	}
}

func skipLines(p *Plan, file string) []int {
	var lines []int
	for _, f := range p.Files {
		if f.File == file {
			for _, s := range f.Skips {
				lines = append(lines, s.Line)
			}
		}
	}
	return lines
}

// Every fixture bundle, shared and our own, imports with each row either
// imported or listed as skipped with its line and reason.
func TestEveryRowIsImportedOrReported(t *testing.T) {
	bundles := map[string]string{"edfi-1.1": fixtures.Path(t, "oneroster/edfi-1.1")}
	shared, _ := filepath.Glob(filepath.Join(fixtures.Path(t, "oneroster"), "*"))
	for _, dir := range shared {
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			bundles[filepath.Base(dir)] = dir
		}
	}
	own, _ := filepath.Glob("testdata/oneroster-*")
	for _, dir := range own {
		bundles[filepath.Base(dir)] = dir
	}
	for name, dir := range bundles {
		t.Run(name, func(t *testing.T) {
			d := newDistrict(t)
			for _, code := range []string{"255901001", "QS1", "QS2", "NM1"} {
				d.school(code, "School "+code)
			}
			admin := d.user("admin@district.example", db.DistrictAdmin, "")
			files := loadBundleDir(t, dir)
			b, _ := parseLenient(t, files)
			p := d.plan(admin, b)
			if p.Blocked() {
				t.Fatalf("blocking problems: %v", p.Problems)
			}
			wantEveryRowAccounted(t, files, p)
		})
	}
}

// OneRoster 1.2 bundles account for every row the same way, bulk and
// delta: roles.csv and userProfiles.csv included (a secondary role and
// the user profile are listed as skipped with their reasons), and the
// delta's superseded row is listed as skipped, not lost.
func TestEveryRowIsImportedOrReported12(t *testing.T) {
	d, admin := lakeview(t)
	planned := func(files map[string][]byte) *Plan {
		t.Helper()
		p, problems := d.planFiles(admin, "oneroster", files)
		if p == nil || p.Blocked() {
			t.Fatalf("blocked: %v %v", problems, p)
		}
		return p
	}
	bulk := rosterTestdata(t, "oneroster12")
	p := planned(bulk)
	wantEveryRowAccounted(t, bulk, p)
	for file, lines := range map[string]int{"roles.csv": 1, "userProfiles.csv": 1} {
		if got := skipLines(p, file); len(got) != lines {
			t.Errorf("%s: skipped lines %v, want %d", file, got, lines)
		}
	}

	d.mustApplyFiles(admin, bulk)
	delta := rosterTestdata(t, "oneroster12-delta")
	p = planned(delta)
	wantEveryRowAccounted(t, delta, p)
	if got := skipLines(p, "users.csv"); len(got) != 1 {
		t.Errorf("users.csv: skipped lines %v, want the superseded row", got)
	}
}

// A bundle without courses.csv, and a class naming no course, import every
// class and enrollment: the courses are made from the classes, with one
// warning for the file and one for the rows.
func TestMissingCoursesAreMadeFromClasses(t *testing.T) {
	d := newDistrict(t)
	d.school("NM1", "North Middle")
	admin := d.user("admin@north.example", db.DistrictAdmin, "")
	files := loadBundleDir(t, "testdata/oneroster-no-courses")
	b, warnings := parseLenient(t, files)
	wantProblem(t, warnings, roster.Problem{File: "courses.csv", Reason: `courses.csv is missing; each course the classes name (courseSourcedId "MATH") was made from its first class (its title and school)`, Warning: true})
	wantProblem(t, warnings, roster.Problem{File: "classes.csv", Line: 4, Field: "courseSourcedId",
		Reason: "courseSourcedId is empty; a course was made from the class (its title and school)", Warning: true})
	if len(warnings) != 2 {
		t.Errorf("want one warning per file and reason, got %v", warnings)
	}
	p := d.mustApply(admin, b)
	wantCounts(t, p, map[string]Change{
		EntityTerm: {Create: 1}, EntityCourse: {Create: 2}, EntitySection: {Create: 3}, EntityUser: {Create: 3},
		EntityMembership: {Create: 3}, EntityEnrollment: {Create: 7},
	})
	if got := d.strings(`SELECT title FROM courses`); strings.Join(got, "|") != "Homeroom 7A|Math 7 - P1" {
		t.Errorf("courses = %q", got)
	}
	if got := d.one(`SELECT count(*)::text FROM enrollments`); got != "7" {
		t.Errorf("%s enrollments stored, want 7", got)
	}
	wantEveryRowAccounted(t, files, p)
}

// The quirks real exports have import with warnings and nothing lost.
func TestQuirkyBundleImportsWithWarnings(t *testing.T) {
	d := newDistrict(t)
	d.school("QS1", "Quirk High")
	d.school("QS2", "Annex Campus")
	admin := d.user("admin@quirk.example", db.DistrictAdmin, "")
	files := loadBundleDir(t, "testdata/oneroster-quirks")
	b, warnings := parseLenient(t, files)
	for _, want := range []roster.Problem{
		{File: "orgs.csv", Line: 4, Field: "type", Reason: `type "other" is not a OneRoster org type; it was read as department`, Warning: true},
		{File: "orgs.csv", Line: 5, Field: "parentSourcedId", Reason: `parentSourcedId "GONE" is not in orgs.csv; the row was imported without it`, Warning: true},
		{File: "academicSessions.csv", Line: 2, Field: "schoolYear", Reason: "schoolYear is missing; it was taken from the year of endDate (3 rows, the first on this line)", Warning: true},
		{File: "academicSessions.csv", Line: 4, Field: "parentSourcedId", Reason: `parentSourcedId "NOPE" is not in academicSessions.csv; the row was imported without it`, Warning: true},
		{File: "classes.csv", Line: 3, Field: "courseSourcedId", Reason: "courseSourcedId is empty; a course was made from the class (its title and school)", Warning: true},
		{File: "classes.csv", Line: 3, Field: "termSourcedIds", Reason: `termSourcedIds "T9" is not in academicSessions.csv; the row was imported without it`, Warning: true},
		{File: "users.csv", Line: 5, Field: "status", Reason: `status "inactive" is from an older OneRoster version; it was read as tobedeleted`, Warning: true},
	} {
		wantProblem(t, warnings, want)
	}
	if b.Sessions[0].SchoolYear != "2025" || b.Sessions[2].ParentSourcedID != "" || strings.Join(b.Classes[1].TermSourcedIDs, ",") != "T1" {
		t.Errorf("sessions %+v, class terms %q", b.Sessions, b.Classes[1].TermSourcedIDs)
	}
	if u := b.Users[0]; u.SourcedID != "U1" || u.GivenName != "Zoë" || u.FamilyName != "Ångström" {
		t.Errorf("first user after the BOM: %+v", u)
	}
	if b.Orgs[0].Name != "Quirk District, Unified" || b.Classes[1].Title != "Art, Studio" {
		t.Errorf("quoted fields: %q, %q", b.Orgs[0].Name, b.Classes[1].Title)
	}

	p := d.mustApply(admin, b)
	wantProblem(t, p.Problems, roster.Problem{File: "orgs.csv", Line: 4, Field: "type",
		Reason: `org "Science Department" is a department; its rows were imported under the school "Quirk High"`, Warning: true})
	wantProblem(t, p.Problems, roster.Problem{File: "orgs.csv", Line: 5, Field: "type",
		Reason: `org "Annex Campus" is a department with no school above it; it was taken as the school "Annex Campus"`, Warning: true})
	c := counts(p)
	if c[EntitySection].Create != 2 || c[EntityCourse].Create != 2 || c[EntityEnrollment].Create != 5 || c[EntityUser].Create != 4 {
		t.Errorf("counts: %+v", c)
	}
	if got := d.strings(`SELECT s.title || '@' || sc.code FROM sections s JOIN schools sc ON sc.id = s.school_id`); strings.Join(got, "|") != "Art, Studio@QS2|Biology - P1@QS1" {
		t.Errorf("sections = %q", got)
	}
	if got := d.strings(`SELECT display_name FROM users WHERE email LIKE '%quirk.example' AND email <> 'admin@quirk.example'`); strings.Join(got, "|") != "Haruko 田中|Zoë Ångström|Арсений Иванов|明 李" {
		t.Errorf("names = %q", got)
	}
	wantEveryRowAccounted(t, files, p)
	// Vendor ext_ columns are kept on the user; importing again changes nothing.
	if got := d.one(`SELECT coalesce(ext->>'ext_house', '') FROM users WHERE sourced_id = 'U1'`); got != "Red" {
		t.Errorf("U1's ext_house = %q, want Red", got)
	}
	if got := d.one(`SELECT coalesce(ext::text, 'null') FROM users WHERE sourced_id = 'U3'`); got != "null" {
		t.Errorf("U3 has no vendor values but ext = %s", got)
	}
	again := d.mustApply(admin, b)
	if c := again.Counts[EntityUser]; c.Update != 0 || c.Create != 0 || c.Unchanged != 4 {
		t.Errorf("importing again: users %+v, want 4 unchanged", c)
	}
	if got := skipLines(p, "users.csv"); len(got) != 2 || got[0] != 5 || got[1] != 6 {
		t.Errorf("users.csv skips at %v, want the inactive user (5) and the aide (6)", got)
	}
	if got := skipLines(p, "enrollments.csv"); len(got) != 2 || got[0] != 7 || got[1] != 8 {
		t.Errorf("enrollments.csv skips at %v, want the aide's (7) and the inactive user's (8)", got)
	}
}

// A "student" enrolled as a teacher is enrolled as the enrollment says,
// with a warning naming the contradiction, row by row.
func TestEnrollmentRoleWinsOverTheUsersRole(t *testing.T) {
	d := newDistrict(t)
	d.school("255901001", "Grand Bend High School")
	admin := d.user("admin@grandbend.org", db.DistrictAdmin, "")
	files := loadEdfi(t)
	rows := strings.Count(string(files["enrollments.csv"]), ",604863,student,")
	files["enrollments.csv"] = []byte(strings.ReplaceAll(string(files["enrollments.csv"]), ",604863,student,", ",604863,teacher,"))
	b := parse(t, files)
	p := d.mustApply(admin, b)
	var warned int
	for _, pr := range p.Problems {
		if pr.Warning && pr.File == "enrollments.csv" && pr.Field == "role" &&
			pr.Reason == "user 604863 is a student in users.csv but enrolled as teacher; the enrollment wins for this class" {
			warned++
		}
	}
	if rows == 0 || warned != rows {
		t.Errorf("%d warnings for %d contradicting rows: %v", warned, rows, p.Problems)
	}
	got := d.strings(`SELECT DISTINCT e.role FROM enrollments e JOIN users u ON u.id = e.user_id WHERE u.sourced_id = '604863'`)
	if strings.Join(got, ",") != "teacher" {
		t.Errorf("Mary Archer's enrollments have roles %q, want teacher", got)
	}
}

// Display names follow the district's name order; changing it and
// importing again renames people, nothing else.
func TestDisplayNamesFollowTheDistrictsNameOrder(t *testing.T) {
	d := newDistrict(t)
	d.school("255901001", "Grand Bend High School")
	admin := d.user("admin@grandbend.org", db.DistrictAdmin, "")
	setOrder := func(order string) {
		t.Helper()
		if err := d.as(admin, func(s *db.Scope) error { return settings.SetNameOrder(t.Context(), s, order) }); err != nil {
			t.Fatal(err)
		}
	}
	setOrder(settings.FamilyGiven)
	b := parse(t, loadEdfi(t))
	d.mustApply(admin, b)
	if got := d.one(`SELECT display_name FROM users WHERE sourced_id = '604863'`); got != "Archer Mary" {
		t.Errorf("family-given: %q, want Archer Mary", got)
	}
	setOrder(settings.GivenFamily)
	p := d.mustApply(admin, b)
	if got := d.one(`SELECT display_name FROM users WHERE sourced_id = '604863'`); got != "Mary Archer" {
		t.Errorf("given-family again: %q, want Mary Archer", got)
	}
	if c := p.Counts[EntityUser]; c.Update != 10 || c.Create != 0 {
		t.Errorf("changing the order: users %+v, want 10 renamed", c)
	}
	// Only district admins choose it.
	teacherSchool := d.school("X1", "Other")
	sa := d.user("sa@grandbend.org", db.SchoolAdmin, teacherSchool)
	err := d.as(sa, func(s *db.Scope) error { return settings.SetNameOrder(t.Context(), s, settings.FamilyGiven) })
	if !errors.Is(err, db.ErrForbidden) {
		t.Errorf("school admin setting the order: %v, want ErrForbidden", err)
	}
}
