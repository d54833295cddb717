package roster

import (
	"slices"
	"testing"
)

// The Ed-Fi sample is a real export with real quirks (manifest.version 1,
// empty status, 19-field teacher rows, no final newline, "{Local:863}" ids,
// usernames with spaces); it must parse with no problems at all.
func TestParseOneRosterAcceptsEdfiSample(t *testing.T) {
	files := loadEdfi(t)
	b, problems := ParseOneRoster(files)
	for _, p := range problems {
		t.Errorf("unexpected problem: %s", p)
	}

	counts := []struct {
		name      string
		got, want int
	}{
		{"orgs", len(b.Orgs), 2},
		{"sessions", len(b.Sessions), 3},
		{"courses", len(b.Courses), 2},
		{"classes", len(b.Classes), 2},
		{"users", len(b.Users), 10},
		{"enrollments", len(b.Enrollments), countDataRows(files["enrollments.csv"])},
		// The fixture README does not count them; the file holds 8 rows.
		{"demographics", len(b.Demographics), countDataRows(files["demographics.csv"])},
		{"demographics (literal)", len(b.Demographics), 8},
		{"enrollments (literal)", len(b.Enrollments), 24},
	}
	for _, c := range counts {
		if c.got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, c.got, c.want)
		}
	}

	roles := map[string]int{}
	for _, u := range b.Users {
		roles[u.Role]++
	}
	if roles["student"] != 8 || roles["teacher"] != 2 {
		t.Errorf("roles = %v, want 8 students and 2 teachers", roles)
	}

	mary := b.Users[0]
	if mary.Username != "Mary Archer" || !slices.Equal(mary.UserIDs, []string{"{Local:863}"}) {
		t.Errorf("first user: username %q, userIds %q; want them kept as written", mary.Username, mary.UserIDs)
	}
	if mary.Email != "mary.archer@studentgps.org" || !mary.Enabled || mary.Line != 2 {
		t.Errorf("first user: email %q enabled %v line %d", mary.Email, mary.Enabled, mary.Line)
	}
	if !slices.Equal(mary.Grades, []string{"09"}) {
		t.Errorf("grades = %q, want [09] with its leading zero", mary.Grades)
	}
	if b.Manifest["manifest.version"] != "1" {
		t.Errorf("manifest.version = %q, want it kept as 1", b.Manifest["manifest.version"])
	}

	class := b.Classes[0]
	wantTerms := []string{"255901001_2021_2020-2021_Fall", "255901001_2021_2020-2021_Spring"}
	if !slices.Equal(class.TermSourcedIDs, wantTerms) {
		t.Errorf("termSourcedIds = %q, want %q", class.TermSourcedIDs, wantTerms)
	}
	if s := b.Sessions[1]; s.StartDate.String() != "2020-08-17" || s.EndDate.String() != "2020-12-18" {
		t.Errorf("fall semester dates = %s..%s", s.StartDate, s.EndDate)
	}
	last := b.Enrollments[len(b.Enrollments)-1]
	if !last.Primary || last.BeginDate == nil || last.BeginDate.String() != "2021-01-04" {
		t.Errorf("last enrollment = %+v, want a primary teacher from 2021-01-04", last)
	}
	if d := b.Demographics[0]; d.BirthDate == nil || d.BirthDate.String() != "1997-05-30" || d.Sex != "female" {
		t.Errorf("first demographic = %+v", d)
	}
}
