package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/grading"
)

type finalGradeJSON struct {
	Report  grading.Report           `json:"report"`
	History []grading.OverrideChange `json:"history"`
}

// A teacher of the section overrides a final grade through the API, with
// the page's rules (a reason, a percentage or a letter of the scheme),
// keeps it hidden or posts it, and clears it; every change lands in the
// same history the page shows. Students, guardians and admins are refused
// by the route table, and a teacher of another section cannot see the
// student at all (404, as for every grade read of the API).
func TestFinalGradeOverrideThroughTheAPI(t *testing.T) {
	d := newDistrict(t, "overrideapi")
	tc, tcsrf := d.session(db.Teacher)
	sc, scsrf := d.session(db.Student)
	gc, gcsrf := d.session(db.Guardian)
	d.gradeSection(t, d.actorOf(tc, db.Teacher))
	me := d.users[db.Student].ID
	path := "/api/v1/sections/" + d.section + "/grades/" + me + "/override"

	res, body := tc.get(path)
	mustStatus(t, "read", res, body, 200)
	fg := decodeJSON[finalGradeJSON](t, "read", body)
	if fg.Report.Override != nil || len(fg.History) != 0 || fg.Report.Shown.Percent == nil || *fg.Report.Shown.Percent != "88.00" {
		t.Fatalf("before any override: %+v", fg)
	}

	// Validation: the page's messages, field by field.
	for _, c := range []struct {
		req   map[string]any
		field string
		msg   string
	}{
		{map[string]any{"percent": "95", "posted": true}, "reason", "Say why you override"},
		{map[string]any{"reason": "Portfolio"}, "percent", "Enter a percentage or choose a letter"},
		{map[string]any{"percent": "ninety", "reason": "Portfolio"}, "percent", "Enter the override as a percentage"},
		{map[string]any{"letter": "Z", "reason": "Portfolio"}, "letter", "Choose a letter of the section's grading scheme"},
		{map[string]any{"percent": "95", "reason": strings.Repeat("x", 501)}, "reason", "under 500 characters"},
	} {
		res, body := tc.api("PUT", path, tcsrf, c.req)
		mustStatus(t, "invalid "+c.field, res, body, http.StatusUnprocessableEntity)
		mustContain(t, "invalid "+c.field, body, `"`+c.field+`"`, c.msg)
	}
	res, body = tc.api("PUT", path, tcsrf, map[string]any{"percent": 95, "reason": "x"})
	mustStatus(t, "percent as a number", res, body, http.StatusBadRequest)

	// Hidden first: the student still sees the calculated grade.
	res, body = tc.api("PUT", path, tcsrf, map[string]any{"percent": "95", "reason": "Portfolio review", "posted": false})
	mustStatus(t, "hidden override", res, body, 200)
	fg = decodeJSON[finalGradeJSON](t, "hidden override", body)
	if fg.Report.Override == nil || *fg.Report.Override.Percent != "95.00" || len(fg.History) != 1 || fg.History[0].Reason != "Portfolio review" {
		t.Fatalf("after the hidden override: %+v", fg)
	}
	shownTo := func(c *client) string {
		t.Helper()
		res, body := c.get("/api/v1/sections/" + d.section + "/grades/" + me)
		mustStatus(t, "grades", res, body, 200)
		r := decodeJSON[grading.Report](t, "grades", body)
		if r.Shown.Percent == nil {
			return ""
		}
		return *r.Shown.Percent
	}
	for _, c := range []*client{sc, gc} {
		if got := shownTo(c); got == "95.00" {
			t.Errorf("an unposted override is shown to the student or guardian")
		}
	}

	// Posted, by letter: the student and guardian see it.
	res, body = tc.api("PUT", path, tcsrf, map[string]any{"letter": "a", "reason": "Portfolio moderated", "posted": true})
	mustStatus(t, "posted override", res, body, 200)
	fg = decodeJSON[finalGradeJSON](t, "posted override", body)
	if fg.Report.Override == nil || fg.Report.Override.Letter != "A" || len(fg.History) != 2 || fg.History[0].Reason != "Portfolio moderated" {
		t.Fatalf("after the posted override: %+v", fg)
	}
	if fg.History[0].Actor == nil || *fg.History[0].Actor == "" || fg.History[0].ActorRole != "teacher" {
		t.Errorf("the history does not say who: %+v", fg.History[0])
	}
	res, body = sc.get("/api/v1/sections/" + d.section + "/grades/" + me)
	if r := decodeJSON[grading.Report](t, "student", body); r.Override == nil || r.Shown.Letter != "A" {
		t.Errorf("the student does not see the posted override: %+v", r.Shown)
	}

	// Refused: students, guardians and admins by the route table; another
	// teacher does not see the student.
	for _, c := range []struct {
		who  string
		c    *client
		csrf string
	}{{"student", sc, scsrf}, {"guardian", gc, gcsrf}} {
		for _, m := range []string{"GET", "PUT", "DELETE"} {
			res, body := c.c.api(m, path, c.csrf, map[string]any{"percent": "10", "reason": "mine"})
			mustStatus(t, c.who+" "+m, res, body, http.StatusForbidden)
		}
	}
	for _, role := range []db.Role{db.SchoolAdmin, db.DistrictAdmin} {
		ac, acsrf := d.session(role)
		res, body := ac.api("PUT", path, acsrf, map[string]any{"percent": "10", "reason": "admin"})
		mustStatus(t, string(role)+" PUT", res, body, http.StatusForbidden)
	}
	other, ocsrf := d.secondTeacher()
	for _, m := range []string{"GET", "PUT", "DELETE"} {
		res, body := other.api(m, path, ocsrf, map[string]any{"percent": "10", "reason": "not my class"})
		mustStatus(t, "another teacher "+m, res, body, http.StatusNotFound)
	}
	res, body = tc.api("PUT", path, "", map[string]any{"percent": "10", "reason": "no token"})
	mustStatus(t, "without the CSRF token", res, body, http.StatusForbidden)

	// Cleared with a reason; clearing again finds nothing.
	res, body = tc.api("DELETE", path+"?"+url.Values{"reason": {"Entered for the wrong term"}}.Encode(), tcsrf, nil)
	mustStatus(t, "clear", res, body, 200)
	fg = decodeJSON[finalGradeJSON](t, "clear", body)
	if fg.Report.Override != nil || len(fg.History) != 3 || fg.History[0].Reason != "Entered for the wrong term" || fg.History[0].New != nil {
		t.Fatalf("after clearing: %+v", fg)
	}
	res, body = tc.api("DELETE", path, tcsrf, nil)
	mustStatus(t, "clear again", res, body, http.StatusNotFound)

	// The page reads the same history.
	res, body = tc.get("/assess/sections/" + d.section + "/students/" + me)
	mustContain(t, "page", body, "Portfolio review", "Portfolio moderated", "Entered for the wrong term")
	var n int
	ctx := context.Background()
	if err := d.db.InTx(ctx, db.SystemActor(), func(s *db.Scope) error {
		return s.Tx.QueryRow(ctx, `SELECT count(*) FROM final_grade_audit WHERE section_id = $1 AND student_id = $2`, d.section, me).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("%d audit rows, want 3", n)
	}
}
