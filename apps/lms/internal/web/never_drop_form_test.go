package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/coursework"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/grading"
)

// "Never drop" on the assignment form and in the assignment API is the
// group's own never-drop list (what the grading settings edit): the
// gradebook and the grades API stop dropping the score, the settings page
// shows it marked, unmarking drops it again, moving the assignment to
// another group leaves the old group's list, and every change is audited
// as a drop-rule change.
func TestNeverDropOnTheAssignmentFormAndAPI(t *testing.T) {
	d := newDistrict(t, "neverdropform")
	tc, tcsrf := d.session(db.Teacher)
	g := d.gradeSection(t, d.actorOf(tc, db.Teacher))
	ctx := context.Background()
	var hw, tests string
	query := func(sql string, args []any, dest ...any) {
		t.Helper()
		if err := d.db.InTx(ctx, db.SystemActor(), func(s *db.Scope) error {
			return s.Tx.QueryRow(ctx, sql, args...).Scan(dest...)
		}); err != nil {
			t.Fatal(err)
		}
	}
	query(`SELECT a.group_id, (SELECT id FROM assignment_groups WHERE section_id = $2 AND name = 'Tests') FROM assignments a WHERE a.id = $1`,
		[]any{g.hw1, d.section}, &hw, &tests)
	neverList := func(group string) []string {
		t.Helper()
		var ids []string
		query(`SELECT never_drop::text[] FROM assignment_groups WHERE id = $1`, []any{group}, &ids)
		return ids
	}

	edit := "/teach/assignments/" + g.hw2
	res, body := tc.get(edit + "/edit")
	mustStatus(t, "edit form", res, body, 200)
	mustContain(t, "edit form", body, `name="never_drop">`, "Never drop")
	form := url.Values{"_csrf": {tcsrf}, "title": {"HW 2"}, "grading_type": {"points"}, "points_possible": {"10"},
		"group_id": {hw}, "section_ids": {d.section}, "never_drop": {"on"}}

	// Drop lowest 1 drops HW 2 (5/10): Homework 100%, 0.4×100 + 0.6×80 = 88.
	res, body = tc.get("/assess/sections/" + d.section)
	mustContain(t, "gradebook before", body, "88.00%", "Dropped")

	// Without a group, never drop means nothing: the form says so.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("group_id", "")
	res, body = tc.post(edit, bad)
	mustStatus(t, "never drop without a group", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "never drop without a group", body, "Choose an assignment group: never drop", `aria-describedby="never-drop-error"`)

	if res, body = tc.post(edit, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save never drop: %d\n%s", res.StatusCode, snippet(body))
	}
	if got := neverList(hw); len(got) != 1 || got[0] != g.hw2 {
		t.Fatalf("the group's never-drop list: %v", got)
	}
	// HW 2 counts; HW 1 is the only droppable score, which a drop rule
	// keeps: Homework 15/20 = 75%, 0.4×75 + 0.6×80 = 78.
	res, body = tc.get("/assess/sections/" + d.section)
	mustContain(t, "gradebook with never drop", body, "78.00%", "75.00%")
	if strings.Contains(body, "Dropped") {
		t.Error("a never-drop score was dropped")
	}
	res, body = tc.get(edit + "/edit")
	mustContain(t, "edit form after", body, `name="never_drop" checked`)
	res, body = tc.get("/teach/sections/" + d.section + "/grading")
	mustContain(t, "grading settings", body, `value="`+g.hw2+`" checked`)
	var audited int
	query(`SELECT count(*) FROM audit_log WHERE action = 'group.drop_rules' AND target = $1 AND detail->'new'->'neverDrop' ? $2`,
		[]any{hw, g.hw2}, &audited)
	if audited != 1 {
		t.Errorf("%d audit entries for marking never drop", audited)
	}

	// Unmarked: dropped again.
	form.Del("never_drop")
	if res, body = tc.post(edit, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("unmark never drop: %d\n%s", res.StatusCode, snippet(body))
	}
	res, body = tc.get("/assess/sections/" + d.section)
	mustContain(t, "gradebook after unmarking", body, "88.00%", "Dropped")
	if got := neverList(hw); len(got) != 0 {
		t.Errorf("still in the never-drop list: %v", got)
	}

	// The API: PUT marks it, GET shows it, the grades API keeps the score.
	in := coursework.AssignmentInput{Title: "HW 2", GradingType: "points", PointsPossible: "10", GroupID: hw,
		SectionIDs: []string{d.section}, NeverDrop: true}
	res, body = tc.api("PUT", "/api/v1/assignments/"+g.hw2, tcsrf, in)
	mustStatus(t, "API never drop", res, body, 200)
	if a := decodeJSON[coursework.Assignment](t, "API never drop", body); !a.NeverDrop {
		t.Errorf("the API's answer does not say never drop")
	}
	res, body = tc.get("/api/v1/assignments/" + g.hw2)
	if a := decodeJSON[coursework.Assignment](t, "API read", body); !a.NeverDrop {
		t.Errorf("GET does not say never drop")
	}
	res, body = tc.get("/api/v1/sections/" + d.section + "/grades/" + d.users[db.Student].ID)
	rep := decodeJSON[grading.Report](t, "grades", body)
	for _, gr := range rep.Groups {
		if gr.GroupID == hw && (len(gr.Current.Dropped) != 0 || gr.Current.Percent == nil || *gr.Current.Percent != "75.00") {
			t.Errorf("Homework in the grades API: %+v", gr.Current)
		}
	}
	in.GroupID = ""
	res, body = tc.api("PUT", "/api/v1/assignments/"+g.hw2, tcsrf, in)
	mustStatus(t, "API never drop without a group", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "API never drop without a group", body, `"neverDrop"`, "Choose an assignment group")
	res, body = tc.api("POST", "/api/v1/sections/"+d.section+"/assignments", tcsrf, coursework.AssignmentInput{Title: "Quiz", GradingType: "points",
		PointsPossible: "5", GroupID: hw, NeverDrop: true})
	mustStatus(t, "API create never drop", res, body, http.StatusCreated)
	quiz := decodeJSON[coursework.Assignment](t, "API create", body)
	if !quiz.NeverDrop || len(neverList(hw)) != 2 {
		t.Errorf("created never drop: %v, list %v", quiz.NeverDrop, neverList(hw))
	}

	// Moved to Tests, still never drop: Homework's list lets go of it.
	in.GroupID = tests
	res, body = tc.api("PUT", "/api/v1/assignments/"+g.hw2, tcsrf, in)
	mustStatus(t, "move group", res, body, 200)
	if hwList, testList := neverList(hw), neverList(tests); len(hwList) != 1 || hwList[0] != quiz.ID || len(testList) != 1 || testList[0] != g.hw2 {
		t.Errorf("after the move: Homework %v, Tests %v", hwList, testList)
	}

	// The settings page lists published work only: saving it keeps the
	// draft quiz's mark.
	settings := url.Values{"_csrf": {tcsrf}, "weighting": {"percent"}, "post_policy": {"manual"}, "scheme": {"A 90, B 80, C 70, F 0"},
		"drop_lowest_" + hw: {"1"}}
	if res, body = tc.post("/teach/sections/"+d.section+"/grading", settings); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save settings: %d\n%s", res.StatusCode, snippet(body))
	}
	if got := neverList(hw); len(got) != 1 || got[0] != quiz.ID {
		t.Errorf("saving the settings page changed the draft's never drop: %v", got)
	}
}
