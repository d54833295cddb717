package roster

import (
	"bytes"
	"encoding/csv"
	"testing"
)

// FuzzParseOneRoster feeds arbitrary users.csv and enrollments.csv into the
// Ed-Fi bundle. Whatever comes in, parsing must not panic, every problem must
// say where it is and why, and a rejected row must never vanish silently: with
// no problems, every data row is in the bundle.
func FuzzParseOneRoster(f *testing.F) {
	fixture := loadEdfi(f)
	users, enrollments := fixture["users.csv"], fixture["enrollments.csv"]
	f.Add(users, enrollments)
	f.Add(append([]byte("\xEF\xBB\xBF"), users...), enrollments)
	f.Add(bytes.Replace(users, []byte(",student,"), []byte(",\"stu\ndent\","), 1), enrollments)
	f.Add(users, bytes.Replace(enrollments, []byte(",student,"), []byte(",\"student,"), 1))
	f.Add([]byte{}, []byte("sourcedId\n\"\"\n"))

	f.Fuzz(func(t *testing.T, users, enrollments []byte) {
		files := withFile(withFile(fixture, "users.csv", users), "enrollments.csv", enrollments)
		b, problems := ParseOneRoster(files)
		checkProblems(t, problems)
		if b == nil {
			t.Fatal("ParseOneRoster returned a nil bundle")
		}
		for _, u := range b.Users {
			if u.SourcedID == "" || u.Line < 2 {
				t.Errorf("user without sourcedId or line: %+v", u)
			}
			if _, ok := userRoles.lookup(u.Role); !ok {
				t.Errorf("user with role %q accepted", u.Role)
			}
		}
		for _, e := range b.Enrollments {
			if e.SourcedID == "" || e.UserSourcedID == "" || e.Line < 2 {
				t.Errorf("enrollment without ids or line: %+v", e)
			}
		}
		if len(problems) > 0 {
			return
		}
		if want := csvDataRows(users); len(b.Users) != want {
			t.Errorf("no problems, but %d users from %d data rows", len(b.Users), want)
		}
		if want := csvDataRows(enrollments); len(b.Enrollments) != want {
			t.Errorf("no problems, but %d enrollments from %d data rows", len(b.Enrollments), want)
		}
	})
}

// FuzzParseOneRosterStructure does the same for the files that shape the
// district: orgs, academic sessions, courses and classes.
func FuzzParseOneRosterStructure(f *testing.F) {
	fixture := loadEdfi(f)
	orgs, sessions, courses, classes := fixture["orgs.csv"], fixture["academicSessions.csv"], fixture["courses.csv"], fixture["classes.csv"]
	f.Add(orgs, sessions, courses, classes)
	f.Add(append([]byte("\xEF\xBB\xBF"), orgs...), sessions, courses, classes)
	f.Add(orgs, bytes.Replace(sessions, []byte(","), []byte(",\""), 1), courses, classes)
	f.Add(orgs, sessions, []byte("sourcedId\n\"\"\n"), bytes.Repeat([]byte(","), 40))
	f.Add([]byte{}, []byte{}, []byte{}, []byte{})

	f.Fuzz(func(t *testing.T, orgs, sessions, courses, classes []byte) {
		files := withFile(withFile(withFile(withFile(fixture, "orgs.csv", orgs), "academicSessions.csv", sessions), "courses.csv", courses), "classes.csv", classes)
		b, problems := ParseOneRoster(files)
		checkProblems(t, problems)
		if b == nil {
			t.Fatal("ParseOneRoster returned a nil bundle")
		}
		for _, o := range b.Orgs {
			if o.SourcedID == "" || o.Line < 2 {
				t.Errorf("org without sourcedId or line: %+v", o)
			}
		}
		for _, c := range b.Classes {
			if c.SourcedID == "" || c.Line < 2 {
				t.Errorf("class without sourcedId or line: %+v", c)
			}
		}
		if len(problems) > 0 {
			return
		}
		for name, got := range map[string]int{"orgs.csv": len(b.Orgs), "academicSessions.csv": len(b.Sessions), "courses.csv": len(b.Courses), "classes.csv": len(b.Classes)} {
			if want := csvDataRows(files[name]); got != want {
				t.Errorf("no problems, but %d rows of %s from %d data rows", got, name, want)
			}
		}
	})
}

// FuzzParseUsersCSV holds ParseUsersCSV to the same promises.
func FuzzParseUsersCSV(f *testing.F) {
	f.Add([]byte(goodUsersCSV))
	f.Add([]byte("email,given_name,family_name,role,school_code\na@x.org,A,B,teacher,S1\n"))
	f.Add([]byte("email,given_name,family_name,role,school_code,guardian_of\np@x.org,P,Q,guardian,,\"a@x.org;b@x.org\"\n"))
	f.Add([]byte("email,given_name,family_name,role,school_code\n\"a@x.org,A,B,teacher,S1\n"))
	f.Add([]byte("Email,Email\n"))
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, data []byte) {
		rows, problems := ParseUsersCSV("users.csv", data)
		checkProblems(t, problems)
		seen := map[string]bool{}
		for _, r := range rows {
			if r.Email == "" || !looksLikeEmail(r.Email) || seen[r.Email] || r.Line < 2 {
				t.Errorf("row accepted with a bad or repeated email: %+v", r)
			}
			seen[r.Email] = true
			if _, ok := usersCSVRoles.lookup(r.Role); !ok || r.GivenName == "" || r.FamilyName == "" {
				t.Errorf("row accepted without its required values: %+v", r)
			}
		}
		if len(problems) == 0 {
			if want := csvDataRows(data); len(rows) != want {
				t.Errorf("no problems, but %d rows from %d data rows", len(rows), want)
			}
		}
	})
}

// checkProblems holds every problem to the contract the preview page relies on.
func checkProblems(t *testing.T, problems []Problem) {
	t.Helper()
	if len(problems) > maxProblems+1 {
		t.Errorf("%d problems, more than the cap of %d plus one", len(problems), maxProblems)
	}
	for _, p := range problems {
		if p.File == "" || p.Reason == "" || p.Line < 0 {
			t.Errorf("incomplete problem: %#v", p)
		}
	}
}

// csvDataRows counts the records after the header the way the parser reads
// them, or -1 when the data is not valid CSV (which must then be reported).
func csvDataRows(data []byte) int {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, utf8BOM)))
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil || len(records) == 0 {
		return -1
	}
	return len(records) - 1
}
