package roster

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// loadTestdata returns the CSV files of a bundle under testdata by base name.
func loadTestdata(tb testing.TB, dir string) map[string][]byte {
	tb.Helper()
	entries, err := os.ReadDir(filepath.Join("testdata", dir))
	if err != nil {
		tb.Fatalf("reading testdata: %v", err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join("testdata", dir, e.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		files[e.Name()] = data
	}
	return files
}

func wantNoProblems(t *testing.T, problems []Problem) {
	t.Helper()
	for _, p := range problems {
		t.Errorf("unexpected problem: %s", p)
	}
}

func userBySourcedID(t *testing.T, b *Bundle, id string) User {
	t.Helper()
	i := slices.IndexFunc(b.Users, func(u User) bool { return u.SourcedID == id })
	if i < 0 {
		t.Fatalf("user %s not in the bundle", id)
	}
	return b.Users[i]
}

// A 1.2 bulk bundle (BOM, CRLF users.csv, UTF-8 names, roles.csv,
// userProfiles.csv, 1.2 demographics) is detected from its manifest and
// read with every row accounted for.
func TestParseOneRoster12Bulk(t *testing.T) {
	files := loadTestdata(t, "oneroster12")
	if k := SniffOneRoster(BytesFiles(files)); k != (BundleKind{Version: Version12}) {
		t.Fatalf("sniffed %+v, want 1.2 bulk", k)
	}
	b, problems := ParseOneRosterBundle(files)
	wantNoProblems(t, problems)
	if b.Version != Version12 || b.Delta {
		t.Errorf("version %q delta %v, want 1.2 bulk", b.Version, b.Delta)
	}
	for name, got := range map[string]int{"orgs.csv": len(b.Orgs), "academicSessions.csv": len(b.Sessions), "courses.csv": len(b.Courses),
		"classes.csv": len(b.Classes), "users.csv": len(b.Users), "roles.csv": len(b.Roles), "userProfiles.csv": len(b.UserProfiles),
		"enrollments.csv": len(b.Enrollments), "demographics.csv": len(b.Demographics)} {
		if want := csvDataRows(files[name]); got != want {
			t.Errorf("%s: %d rows read, file has %d", name, got, want)
		}
	}
	roles := map[string]string{}
	for _, u := range b.Users {
		roles[u.SourcedID] = u.Role + " at " + strings.Join(u.OrgSourcedIDs, "+")
	}
	want := map[string]string{"u1": "teacher at s1", "u2": "teacher at s2+s1", "u3": "student at s1", "u4": "student at s2",
		"u5": "administrator at s1", "g1": "parent at s1"}
	for id, w := range want {
		if roles[id] != w {
			t.Errorf("user %s: %q, want %q", id, roles[id], w)
		}
	}
	alex := userBySourcedID(t, b, "u3")
	if alex.GivenName != "Alex" || b.People["u3"].LegalGivenName != "Alexandra" || b.People["u3"].Pronouns != "they/them" {
		t.Errorf("u3: given %q, details %+v; want preferred name shown and legal name kept", alex.GivenName, b.People["u3"])
	}
	if jun := userBySourcedID(t, b, "u4"); jun.FamilyName != "Nguyễn" {
		t.Errorf("u4 family name %q, want it as written", jun.FamilyName)
	}
	if !slices.ContainsFunc(b.Notes, func(n string) bool { return strings.Contains(n, "1 role row names a role other than") }) {
		t.Errorf("notes %q do not mention u5's secondary teacher role", b.Notes)
	}
}

// Every problem of a 1.2 bundle is reported in one pass.
func TestParseOneRoster12ReportsEveryProblem(t *testing.T) {
	files := loadTestdata(t, "oneroster12")
	files = withLine(t, files, "roles.csv", 2, "primary", "main")
	files = withLine(t, files, "roles.csv", 3, "teacher", "lunchlady")
	files = withLine(t, files, "roles.csv", 5, ",u4,", ",nobody,")
	_, problems := ParseOneRosterBundle(files)
	for _, want := range []Problem{
		{File: "roles.csv", Line: 2, Field: "roleType", Reason: `roleType "main" is not one of primary, secondary`},
		{File: "roles.csv", Line: 3, Field: "role", Reason: `role "lunchlady" is not one of ` + userRoles12.String()},
		{File: "roles.csv", Line: 5, Field: "userSourcedId", Reason: `userSourcedId "nobody" is not in users.csv`},
		{File: "users.csv", Line: 5, Field: "sourcedId", Reason: `user "u4" has no role in roles.csv; add a row giving their role at a school`},
	} {
		if !slices.Contains(problems, want) {
			t.Errorf("missing problem %s", want)
		}
	}
	if len(problems) != 4 {
		t.Errorf("%d problems, want 4: %v", len(problems), problems)
	}
}

// A 1.2 bundle without roles.csv is incomplete; one without manifest is
// recognised by its roles.csv.
func TestParseOneRoster12RequiresRoles(t *testing.T) {
	files := withFile(loadTestdata(t, "oneroster12"), "roles.csv", nil)
	_, problems := ParseOneRosterBundle(files)
	if !slices.Contains(problems, Problem{File: "roles.csv", Reason: "roles.csv is missing, but manifest.csv lists it as bulk; add the file, or mark it absent in the manifest"}) {
		t.Errorf("problems %v do not name the missing roles.csv", problems)
	}
	noManifest := withFile(loadTestdata(t, "oneroster12"), "manifest.csv", nil)
	if k := SniffOneRoster(BytesFiles(noManifest)); k.Version != Version12 {
		t.Errorf("without manifest, a bundle with roles.csv sniffed as %+v", k)
	}
}

// A delta keeps the latest change to each record, orders the changes by
// dateLastModified, and does not check references into files it leaves out.
func TestParseDeltaOrdersByDateLastModified(t *testing.T) {
	files := loadTestdata(t, "oneroster12-delta")
	if k := SniffOneRoster(BytesFiles(files)); k != (BundleKind{Version: Version12, Delta: true}) {
		t.Fatalf("sniffed %+v, want 1.2 delta", k)
	}
	b, problems := ParseOneRosterBundle(files)
	wantNoProblems(t, problems)
	var order []string
	for _, u := range b.Users {
		order = append(order, u.SourcedID+":"+u.FamilyName+":"+u.Status)
	}
	if want := []string{"u4:Nguyễn-Tran:active", "u6:Wójcik:active", "u1:Garcia:tobedeleted"}; !slices.Equal(order, want) {
		t.Errorf("users %q, want %q", order, want)
	}
	if userBySourcedID(t, b, "u6").Role != "student" {
		t.Errorf("u6 has no role from roles.csv")
	}
	if !slices.ContainsFunc(b.Notes, func(n string) bool { return strings.Contains(n, "1 row of users.csv is superseded") }) {
		t.Errorf("notes %q do not mention the superseded row", b.Notes)
	}
	if len(b.Enrollments) != 2 || b.Enrollments[0].SourcedID != "e5" || b.Enrollments[1].Status != "tobedeleted" {
		t.Errorf("enrollments %+v, want e5 then e2 (tobedeleted)", b.Enrollments)
	}
}

// Delta rows must say their status and when they changed; bulk and delta
// files are not mixed.
func TestParseDeltaChecksStatusDateAndModes(t *testing.T) {
	files := loadTestdata(t, "oneroster12-delta")
	files = withLine(t, files, "enrollments.csv", 2, ",active,2025-01-11T10:05:00Z,", ",,yesterday,")
	files = withLine(t, files, "manifest.csv", 4, "absent", "bulk")
	files = withFile(files, "academicSessions.csv", loadTestdata(t, "oneroster12")["academicSessions.csv"])
	_, problems := ParseOneRosterBundle(files)
	for _, want := range []Problem{
		{File: "enrollments.csv", Line: 2, Field: "status", Reason: "status is empty; in a delta every row is active or tobedeleted"},
		{File: "enrollments.csv", Line: 2, Field: "dateLastModified", Reason: `dateLastModified "yesterday" is not a date and time such as 2025-01-31T14:05:00Z`},
		{File: "manifest.csv", Line: 4, Field: "value", Reason: "this bundle mixes bulk and delta files; export either a full (bulk) bundle or a delta bundle, mark files without changes absent"},
	} {
		if !slices.Contains(problems, want) {
			t.Errorf("missing problem %s; got %v", want, problems)
		}
	}
}

// A 1.1 bundle whose manifest marks files delta is read as a 1.1 delta; a
// plain 1.1 bulk bundle is still read by ParseOneRoster.
func TestParseOneRosterBundleDispatchesOn11(t *testing.T) {
	edfi := loadEdfi(t)
	b, problems := ParseOneRosterBundle(edfi)
	wantNoProblems(t, problems)
	if b.Version != Version11 || b.Delta || len(b.Users) != 10 {
		t.Errorf("Ed-Fi: version %q delta %v users %d", b.Version, b.Delta, len(b.Users))
	}
	manifest := []byte("propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.users,delta\nfile.orgs,absent\n")
	users := []byte("sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades\n" +
		"x1,active,2025-02-01T00:00:00Z,true,missing-org,student,x1,,Ana,Lima,,,ana@x.example,,,,\n")
	b, problems = ParseOneRosterBundle(map[string][]byte{"manifest.csv": manifest, "users.csv": users})
	wantNoProblems(t, problems)
	if b.Version != Version11 || !b.Delta || len(b.Users) != 1 || b.Users[0].Role != "student" {
		t.Errorf("1.1 delta: version %q delta %v users %+v", b.Version, b.Delta, b.Users)
	}
}

// FuzzParseOneRoster12 feeds arbitrary users.csv and roles.csv into the 1.2
// bundle: no panic, every problem placed, and with no problems every user
// row is in the bundle with a role.
func FuzzParseOneRoster12(f *testing.F) {
	fixture := loadTestdata(f, "oneroster12")
	users, roles := fixture["users.csv"], fixture["roles.csv"]
	f.Add(users, roles)
	f.Add(append([]byte("\xEF\xBB\xBF"), users...), roles)
	f.Add(users, bytes.Replace(roles, []byte(",primary,"), []byte(",\"pri\nmary\","), 1))
	f.Add(bytes.Replace(users, []byte(",true,"), []byte(",maybe,"), 1), roles)
	f.Add(users, []byte("userSourcedId,roleType,role,orgSourcedId\n"))
	f.Add([]byte{}, []byte{})

	f.Fuzz(func(t *testing.T, users, roles []byte) {
		files := withFile(withFile(fixture, "users.csv", users), "roles.csv", roles)
		b, problems := ParseOneRoster12(files)
		checkProblems(t, problems)
		if b == nil {
			t.Fatal("nil bundle")
		}
		for _, u := range b.Users {
			if u.SourcedID == "" || u.Line < 2 {
				t.Errorf("user without sourcedId or line: %+v", u)
			}
		}
		for _, r := range b.Roles {
			if _, ok := userRoles12.lookup(r.Role); !ok || r.UserSourcedID == "" {
				t.Errorf("role row accepted with role %q user %q", r.Role, r.UserSourcedID)
			}
		}
		if len(problems) > 0 {
			return
		}
		if want := csvDataRows(users); len(b.Users) != want {
			t.Errorf("no problems, but %d users from %d data rows", len(b.Users), want)
		}
		for _, u := range b.Users {
			if u.Role == "" {
				t.Errorf("no problems, but user %s has no role", u.SourcedID)
			}
		}
	})
}

// FuzzParseDelta feeds arbitrary users.csv and enrollments.csv into the 1.2
// delta: no panic, every problem placed, at most one row per sourcedId, in
// dateLastModified order.
func FuzzParseDelta(f *testing.F) {
	fixture := loadTestdata(f, "oneroster12-delta")
	users, enrollments := fixture["users.csv"], fixture["enrollments.csv"]
	f.Add(users, enrollments)
	f.Add(bytes.ReplaceAll(users, []byte("2025-01-1"), []byte("2025-01-0")), enrollments)
	f.Add(users, bytes.Replace(enrollments, []byte("active,"), []byte(","), 1))
	f.Add([]byte{}, []byte("sourcedId,status\n"))

	f.Fuzz(func(t *testing.T, users, enrollments []byte) {
		files := withFile(withFile(fixture, "users.csv", users), "enrollments.csv", enrollments)
		b, problems := ParseOneRosterBundle(files)
		checkProblems(t, problems)
		if b == nil || !b.Delta {
			t.Fatalf("bundle %v is not a delta", b)
		}
		seen := map[string]bool{}
		for _, e := range b.Enrollments {
			if seen[e.SourcedID] {
				t.Errorf("enrollment %s listed twice", e.SourcedID)
			}
			seen[e.SourcedID] = true
		}
		if len(problems) > 0 {
			return
		}
		for _, u := range b.Users {
			if u.Status == "" {
				t.Errorf("no problems, but delta user %s has no status", u.SourcedID)
			}
		}
	})
}

// A 1.2 manifest that marks roles.csv absent leaves its users without
// roles: that is one problem, never users dropped without a word.
func TestParseOneRoster12RolesAbsent(t *testing.T) {
	files := loadTestdata(t, "oneroster12")
	files = withLine(t, files, "manifest.csv", 16, "file.roles,bulk", "file.roles,absent")
	_, problems := ParseOneRosterBundle(files)
	want := Problem{File: "users.csv", Reason: "users.csv lists users, but there is no roles.csv to give their roles; OneRoster 1.2 bundles need both"}
	if !slices.Contains(problems, want) {
		t.Errorf("problems %v lack %s", problems, want)
	}
}

// A 1.2 bulk bundle whose manifest lists courses.csv but lacks it keeps
// every class: the courses are made from them, with one warning that says
// the manifest listed the file.
func TestListedButMissingCoursesAreMadeFromClasses12(t *testing.T) {
	full, _ := ParseOneRosterBundle(loadTestdata(t, "oneroster12"))
	b, problems := ParseOneRosterBundle(withFile(loadTestdata(t, "oneroster12"), "courses.csv", nil))
	errs, warnings := Split(problems)
	if len(errs) != 0 || b == nil || full == nil {
		t.Fatalf("refused: %v", errs)
	}
	found := false
	for _, w := range warnings {
		found = found || (w.File == "courses.csv" && strings.Contains(w.Reason, "courses.csv is missing, although manifest.csv lists it as bulk; each course the classes name"))
	}
	if !found {
		t.Errorf("no warning about the listed but missing courses.csv: %v", warnings)
	}
	if len(b.Classes) != len(full.Classes) || len(b.Enrollments) != len(full.Enrollments) || len(b.Courses) == 0 {
		t.Errorf("classes %d of %d, enrollments %d of %d, courses %d", len(b.Classes), len(full.Classes), len(b.Enrollments), len(full.Enrollments), len(b.Courses))
	}
}

// Vendor ext_… columns of a 1.2 users.csv are kept on the record, as in
// 1.1; empty ones are left out.
func TestVendorColumnsAreKeptIn12Users(t *testing.T) {
	files := loadTestdata(t, "oneroster12")
	lines := strings.Split(strings.TrimRight(string(files["users.csv"]), "\r\n"), "\n")
	for i := range lines {
		switch i {
		case 0:
			lines[i] += ",ext_lunchCode"
		case 1:
			lines[i] += ",L-1001"
		default:
			lines[i] += ","
		}
	}
	b, problems := ParseOneRosterBundle(withFile(files, "users.csv", []byte(strings.Join(lines, "\n")+"\n")))
	if errs, _ := Split(problems); len(errs) != 0 || b == nil {
		t.Fatalf("refused: %v", errs)
	}
	for _, u := range b.Users {
		want := map[string]string(nil)
		if u.SourcedID == "u1" {
			want = map[string]string{"ext_lunchCode": "L-1001"}
		}
		if !maps.Equal(u.Ext, want) {
			t.Errorf("user %s: Ext = %v, want %v", u.SourcedID, u.Ext, want)
		}
	}
}
