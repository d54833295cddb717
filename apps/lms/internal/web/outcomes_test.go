package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/grading"
	"bellwork.dev/bellwork/apps/lms/internal/outcomes"
)

// outcomeID finds an outcome of the section by title.
func (d *district) outcomeID(t *testing.T, title string) string {
	t.Helper()
	var id string
	if err := d.db.InTx(context.Background(), db.SystemActor(), func(s *db.Scope) error {
		return s.Tx.QueryRow(context.Background(), `SELECT id FROM outcomes WHERE title = $1 AND section_id = $2`, title, d.section).Scan(&id)
	}); err != nil {
		t.Fatal(err)
	}
	return id
}

// A teacher adds an outcome, attaches it to graded work, and the mastery
// gradebook and the JSON API show mastery computed by the outcome's method:
// the teacher from every result, the student and guardian from posted
// grades only. Another teacher sees none of it.
func TestOutcomesMasteryInTheGradebookAndAPI(t *testing.T) {
	d := newDistrict(t, "outcomes")
	tc, tcsrf := d.session(db.Teacher)
	sc, _ := d.session(db.Student)
	gc, _ := d.session(db.Guardian)
	teacher := d.actorOf(tc, db.Teacher)
	g := d.gradeSection(t, teacher)
	me := d.users[db.Student].ID

	page := "/teach/sections/" + d.section + "/outcomes"
	res, body := tc.get(page)
	mustStatus(t, "outcomes page", res, body, 200)
	mustContain(t, "outcomes page", body, "No outcomes yet", "Add an outcome", "Decaying average")
	form := url.Values{"_csrf": {tcsrf}, "title": {"Solves linear equations"}, "scale": {"4 Exceeds\n3 Meets\n2 Near\n1 Below"},
		"mastery_points": {"5"}, "method": {"average"}}
	res, body = tc.post(page, form)
	mustStatus(t, "invalid outcome", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "invalid outcome", body, "Enter the mastery points")
	form.Set("mastery_points", "3.05")
	if res, body = tc.post(page, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create outcome: %d\n%s", res.StatusCode, snippet(body))
	}
	oid := d.outcomeID(t, "Solves linear equations")
	res, body = tc.get("/teach/outcomes/" + oid)
	mustStatus(t, "edit outcome", res, body, 200)
	mustContain(t, "edit outcome", body, "Reason for the change", `value="3.05"`)

	// Attached to all three assignments: HW 1 10/10 → 4, HW 2 5/10 → 2
	// (both posted), Unit test 80/100 → 3.2 (not posted).
	ctx := context.Background()
	if err := d.db.InTx(ctx, teacher, func(s *db.Scope) error {
		for _, a := range []string{g.hw1, g.hw2, g.test} {
			if err := outcomes.SetAssignmentOutcomes(ctx, s, a, []string{oid}, "test"); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	res, body = tc.get("/teach/assignments/" + g.hw1 + "/edit")
	mustStatus(t, "assignment form", res, body, 200)
	mustContain(t, "assignment form", body, `name="outcome_ids" value="`+oid+`" checked`)

	res, body = tc.get("/assess/sections/" + d.section + "/outcomes")
	mustStatus(t, "mastery gradebook", res, body, 200)
	// Average of 4, 2 and 3.2 is 3.07: met at 3.05.
	mustContain(t, "mastery gradebook", body, "Solves linear equations", "3.07", "Met", "3 results", "Average")

	mastery := func(c *client, path string) grading.MasteryReport {
		t.Helper()
		res, body := c.get(path)
		mustStatus(t, path, res, body, 200)
		var r grading.Report
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			t.Fatal(err)
		}
		if len(r.Mastery) != 1 {
			t.Fatalf("%s: mastery %+v", path, r.Mastery)
		}
		return r.Mastery[0]
	}
	api := "/api/v1/sections/" + d.section + "/grades/" + me
	if m := mastery(tc, api); m.OutcomeID != oid || m.Score == nil || *m.Score != "3.07" || !m.Mastered || m.Results != 3 {
		t.Errorf("teacher's mastery: %+v", m)
	}
	// The unposted test's result is hidden: (4 + 2) / 2 = 3.00, not met.
	for _, c := range []*client{sc, gc} {
		if m := mastery(c, api); m.Score == nil || *m.Score != "3.00" || m.Mastered || m.Results != 2 {
			t.Errorf("student or guardian mastery: %+v", m)
		}
	}
	res, body = tc.get("/api/v1/sections/" + d.section + "/grades")
	mustStatus(t, "section grades", res, body, 200)
	var all struct {
		Outcomes []outcomes.Outcome `json:"outcomes"`
		Items    []grading.Report   `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &all); err != nil {
		t.Fatal(err)
	}
	if len(all.Outcomes) != 1 || all.Outcomes[0].ID != oid || len(all.Items) != 2 || len(all.Items[0].Mastery) != 1 {
		t.Errorf("section grades: %d outcomes, %d items", len(all.Outcomes), len(all.Items))
	}

	other := d.otherTeacher()
	for _, path := range []string{"/assess/sections/" + d.section + "/outcomes", "/teach/outcomes/" + oid, page} {
		if res, _ := other.get(path); res.StatusCode != http.StatusNotFound {
			t.Errorf("another teacher's %s: %d", path, res.StatusCode)
		}
	}
}

// The final-grade override: set with a reason, shown distinctly in the
// gradebook and to the student once posted, cleared again, every step in
// the history the teacher reads; another teacher can do none of it.
func TestFinalGradeOverrideWithItsHistory(t *testing.T) {
	d := newDistrict(t, "override")
	tc, tcsrf := d.session(db.Teacher)
	sc, _ := d.session(db.Student)
	d.gradeSection(t, d.actorOf(tc, db.Teacher))
	me := d.users[db.Student].ID
	page := "/assess/sections/" + d.section + "/students/" + me

	res, body := tc.get(page)
	mustStatus(t, "final grade", res, body, 200)
	mustContain(t, "final grade", body, "88.00%", "Override the final grade", "No override has been set")
	res, body = tc.post(page+"/override", url.Values{"_csrf": {tcsrf}, "percent": {"95"}, "post": {"on"}})
	mustStatus(t, "override without reason", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "override without reason", body, "Say why you override")
	if res, body = tc.post(page+"/override", url.Values{"_csrf": {tcsrf}, "percent": {"95"}, "post": {"on"}, "reason": {"Portfolio review"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("override: %d\n%s", res.StatusCode, snippet(body))
	}
	res, body = tc.get(page)
	mustStatus(t, "overridden", res, body, 200)
	mustContain(t, "overridden", body, "Overridden", "Portfolio review", "95.00% (posted)", "Clear override")
	res, body = tc.get("/assess/sections/" + d.section)
	mustContain(t, "gradebook with override", body, `class="badge override"`, "Override 95.00%")
	res, body = sc.get("/api/v1/sections/" + d.section + "/grades/" + me)
	mustStatus(t, "student's grades", res, body, 200)
	var rep grading.Report
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Shown.Percent == nil || *rep.Shown.Percent != "95.00" || rep.Override == nil {
		t.Errorf("the student's shown grade: %+v", rep.Shown)
	}

	other := d.otherTeacher()
	if res, _ := other.get(page); res.StatusCode != http.StatusNotFound {
		t.Errorf("another teacher's final grade page: %d", res.StatusCode)
	}

	if res, body = tc.post(page+"/override/clear", url.Values{"_csrf": {tcsrf}, "reason": {"Entered for the wrong term"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("clear: %d\n%s", res.StatusCode, snippet(body))
	}
	res, body = tc.get(page)
	mustContain(t, "cleared", body, "Cleared", "Entered for the wrong term", "Portfolio review", "Override the final grade")
	res, body = tc.get("/assess/sections/" + d.section)
	if res.StatusCode != 200 || strings.Contains(body, `class="badge override"`) {
		t.Errorf("the gradebook still shows the override")
	}
}

// "Never drop" in the group settings keeps an assignment out of the drop
// rule, which then drops the best alternative; the change is audited.
func TestNeverDropInTheGroupSettings(t *testing.T) {
	d := newDistrict(t, "neverdrop")
	tc, tcsrf := d.session(db.Teacher)
	g := d.gradeSection(t, d.actorOf(tc, db.Teacher))
	settings := "/teach/sections/" + d.section + "/grading"
	res, body := tc.get(settings)
	mustStatus(t, "settings", res, body, 200)
	mustContain(t, "settings", body, "Never drop", `value="`+g.hw2+`"`)
	var hw string
	ctx := context.Background()
	if err := d.db.InTx(ctx, db.SystemActor(), func(s *db.Scope) error {
		return s.Tx.QueryRow(ctx, `SELECT group_id FROM assignments WHERE id = $1`, g.hw1).Scan(&hw)
	}); err != nil {
		t.Fatal(err)
	}
	form := url.Values{"_csrf": {tcsrf}, "weighting": {"percent"}, "post_policy": {"manual"}, "scheme": {"A 90, B 80, C 70, F 0"},
		"drop_lowest_" + hw: {"1"}, "never_drop_" + hw: {g.hw2}}
	if res, body = tc.post(settings, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", res.StatusCode, snippet(body))
	}
	// Drop lowest 1 dropped HW 2 (88%). Marked never drop, HW 2 counts,
	// and HW 1 is the group's only droppable score, which a drop rule
	// keeps (Canvas's rule): Homework 15/20 = 75%; 0.4×75 + 0.6×80 = 78.
	res, body = tc.get("/assess/sections/" + d.section)
	mustContain(t, "gradebook", body, "78.00%", "75.00%")
	if strings.Contains(body, "Dropped") {
		t.Error("a never-drop score was dropped")
	}
	res, body = tc.get(settings)
	mustContain(t, "settings after", body, `value="`+g.hw2+`" checked`)
	var n int
	if err := d.db.InTx(ctx, db.SystemActor(), func(s *db.Scope) error {
		return s.Tx.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'group.drop_rules' AND target = $1
			AND detail->'new'->'neverDrop' ? $2`, hw, g.hw2).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d audit entries for the never-drop change", n)
	}
	form.Set("never_drop_"+hw, "00000000-0000-4000-8000-000000000000")
	res, body = tc.post(settings, form)
	mustStatus(t, "unknown never-drop", res, body, http.StatusUnprocessableEntity)
}
