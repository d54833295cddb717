package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/schools"
	"bellwork.dev/bellwork/pkg/directory"
	"bellwork.dev/bellwork/pkg/flags"
)

// rosterExport is the roster-export flag as the operator publishes it:
// off, except for everyone at the schools given.
func rosterExport(schools ...string) flags.Flag {
	f := flags.Flag{Variants: map[string]json.RawMessage{"on": json.RawMessage("true"), "off": json.RawMessage("false")}, DefaultVariant: "off"}
	if len(schools) > 0 {
		f.Overrides.Schools = map[string]string{}
	}
	for _, s := range schools {
		f.Overrides.Schools[s] = "on"
	}
	return f
}

// withSchoolB adds a second school to a district's entry.
func withSchoolB(e *directory.Entry) {
	e.Schools = append(e.Schools, directory.School{Code: "B", Name: "School B", TimeZone: "America/Chicago"})
}

// publish hands the registry a new version of the district's entry, as
// the directory watch does when the operator rewrites the Secret.
func (d *district) publish(mutate func(*directory.Entry)) {
	d.t.Helper()
	next := *d.entry
	next.Features = flags.Set{}
	for k, v := range d.entry.Features {
		next.Features[k] = v
	}
	mutate(&next)
	d.srv.Registry.Replace([]*directory.Entry{&next})
	d.entry = &next
}

// teacherAt signs in a new teacher of the school with code, teaching the
// given section (if any).
func (d *district) teacherAt(code, email string) *client {
	ctx := context.Background()
	var u *people.User
	var school string
	err := d.db.InTx(ctx, db.SystemActor(), func(s *db.Scope) error {
		sc, err := schools.GetSchoolByCode(ctx, s, code)
		if err != nil {
			return err
		}
		school = sc.ID
		u, err = people.CreateUser(ctx, s, people.NewUser{Email: email, GivenName: "Teacher", FamilyName: code}, db.Teacher, sc.ID)
		return err
	})
	if err != nil {
		d.t.Fatal(err)
	}
	c, _ := d.sessionAt(u, db.Teacher, school)
	return c
}

// A flag flipped in the directory changes what teachers see from their
// next request, without a restart: the roster download appears at the
// school the flag targets, only there, and goes away when it is turned off.
func TestFlagFlipTakesEffectWithoutRestart(t *testing.T) {
	d := newDistrict(t, "flagflip", withSchoolB)
	teacher, _ := d.session(db.Teacher)
	other := d.teacherAt("B", "teacher.b@flagflip.org")
	section := "/teach/sections/" + d.section

	_, body := teacher.get(section)
	if strings.Contains(body, "data-roster-export") {
		t.Fatal("the roster download shows before any flag is published")
	}
	if res, _ := teacher.get(section + "/roster.csv"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("roster.csv without the flag: %d, want 404", res.StatusCode)
	}

	d.publish(func(e *directory.Entry) { e.Features["roster-export"] = rosterExport("flagflip/A") })
	_, body = teacher.get(section)
	if !strings.Contains(body, "data-roster-export") {
		t.Fatalf("after the flip, school A's teacher has no roster download:\n%s", snippet(body))
	}
	res, csvBody := teacher.get(section + "/roster.csv")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("roster.csv after the flip: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(csvBody)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var student []string
	for _, r := range rows {
		if r[3] == d.users[db.Student].Email {
			student = r
		}
	}
	if len(rows) != 3 || student == nil || student[1] != "student" || student[4] != "1" {
		t.Fatalf("roster.csv rows %q: want a header, the teacher, and the student with one guardian", rows)
	}
	// School B's teacher is not targeted: the route does not exist for them.
	if res, _ := other.get(section + "/roster.csv"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("school B's teacher: %d, want 404", res.StatusCode)
	}

	d.publish(func(e *directory.Entry) { e.Features["roster-export"] = rosterExport() })
	if _, body = teacher.get(section); strings.Contains(body, "data-roster-export") {
		t.Fatal("the roster download stays after the flag is turned off")
	}
	if res, _ := teacher.get(section + "/roster.csv"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("roster.csv after turning off: %d, want 404", res.StatusCode)
	}

	// Every evaluation was counted, by flag and variant.
	probes := httptest.NewServer(d.srv.ProbeHandler())
	defer probes.Close()
	mres, err := http.Get(probes.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(mres.Body)
	mres.Body.Close()
	for _, want := range []string{
		`lms_feature_flag_evaluations_total{flag="roster-export",reason="TARGETING_MATCH",variant="on"}`,
		`lms_feature_flag_evaluations_total{flag="roster-export",reason="DEFAULT",variant="off"}`,
		`lms_feature_flag_evaluations_total{flag="_unknown",reason="ERROR",variant=""}`,
	} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// The district admin's flags page lists each published flag with what the
// district gets and, where it differs, what a school gets; with no flag it
// says so. Other roles are refused (TestEveryRouteEnforcesItsPermission).
func TestAdminFlagsPage(t *testing.T) {
	d := newDistrict(t, "flagpage", withSchoolB)
	admin, _ := d.session(db.DistrictAdmin)
	_, body := admin.get("/admin/flags")
	if !strings.Contains(body, "No feature flags") {
		t.Fatalf("empty state missing:\n%s", snippet(body))
	}
	d.publish(func(e *directory.Entry) { e.Features["roster-export"] = rosterExport("flagpage/A") })
	res, body := admin.get("/admin/flags")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `data-flag="roster-export"`) {
		t.Fatalf("flag missing: %d\n%s", res.StatusCode, snippet(body))
	}
	if !strings.Contains(body, `data-school="A"`) || strings.Contains(body, `data-school="B"`) {
		t.Fatalf("want a row for school A (targeted) and none for B (same as the district):\n%s", body)
	}
	if !strings.Contains(body, "Everyone at A gets on") {
		t.Fatalf("targeting not described:\n%s", body)
	}
	sa, _ := d.session(db.SchoolAdmin)
	if res, _ := sa.get("/admin/flags"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("school admin: %d, want 403", res.StatusCode)
	}
	if _, users := sa.get("/admin/users"); strings.Contains(users, `href="/admin/flags"`) {
		t.Fatal("school admins are offered a tab they may not open")
	}
}
