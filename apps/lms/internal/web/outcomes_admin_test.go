package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/outcomes"
	"bellwork.dev/bellwork/apps/lms/internal/rubrics"
)

// count runs a count(*) query as the system.
func (d *district) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.db.InTx(context.Background(), db.SystemActor(), func(s *db.Scope) error {
		return s.Tx.QueryRow(context.Background(), query, args...).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// The district admin's outcomes page: empty state, validation that says
// what to fix, adding, changing with a reason, archiving (results kept,
// no new attachments) and restoring, each step in the history on the
// outcome's page. Other roles are refused; a section's outcome is not the
// admin page's.
func TestDistrictAdminWritesDistrictOutcomes(t *testing.T) {
	d := newDistrict(t, "outadmin")
	ac, acsrf := d.session(db.DistrictAdmin)
	tc, tcsrf := d.session(db.Teacher)
	teacher := d.actorOf(tc, db.Teacher)
	g := d.gradeSection(t, teacher)

	res, body := ac.get("/admin/outcomes")
	mustStatus(t, "outcomes page", res, body, 200)
	mustContain(t, "outcomes page", body, "No district outcomes yet", "Add a district outcome", `href="/admin/outcomes" aria-current="page"`,
		"Decaying average", `name="_csrf"`)

	bad := url.Values{"_csrf": {acsrf}, "title": {" "}, "scale": {"4 Exceeds"}, "mastery_points": {"9"}, "method": {"n_mastery"}, "calculation_int": {"20"}}
	res, body = ac.post("/admin/outcomes", bad)
	mustStatus(t, "invalid outcome", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "invalid outcome", body, "Fix these and add it again", "Give the outcome a title", "Give the scale at least two ratings",
		"Enter the mastery points", "from 1 to 10", `aria-invalid="true"`, `value="20"`)
	bad.Set("method", "median")
	_, body = ac.post("/admin/outcomes", bad)
	mustContain(t, "unknown method", body, "Choose a calculation method.")
	if n := d.count(t, `SELECT count(*) FROM outcomes`); n != 0 {
		t.Fatalf("an invalid form saved %d outcomes", n)
	}
	// Without the CSRF token nothing is saved.
	form := url.Values{"title": {"Reads closely"}, "description": {"Cites evidence from the text."}, "scale": {"4 Exceeds\n3 Meets\n2 Near\n1 Below"},
		"mastery_points": {"3"}, "method": {"decaying_average"}, "calculation_int": {"65"}}
	if res, _ = ac.post("/admin/outcomes", form); res.StatusCode != http.StatusForbidden {
		t.Errorf("no CSRF token: %d", res.StatusCode)
	}
	form.Set("_csrf", acsrf)
	res, body = ac.post("/admin/outcomes", form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", res.StatusCode, snippet(body))
	}
	id := locationID(t, res)
	page := "/admin/outcomes/" + id
	res, body = ac.get(page + "?done=outcome-created")
	mustStatus(t, "outcome page", res, body, 200)
	mustContain(t, "outcome page", body, "Outcome added.", "Edit outcome", "Reason for the change", "History", "Created",
		"Archive outcome", "Decaying average (latest 65%)")
	res, body = ac.get("/admin/outcomes")
	mustContain(t, "list", body, "Reads closely", "Cites evidence", "3 of 4", "In use")

	form.Set("title", "Reads closely and cites evidence")
	form.Set("mastery_points", "2.5")
	form.Set("reason", "Aligned to the state standard")
	if res, body = ac.post(page, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("update: %d\n%s", res.StatusCode, snippet(body))
	}
	form.Set("mastery_points", "five")
	res, body = ac.post(page, form)
	mustStatus(t, "invalid update", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "invalid update", body, "Nothing was saved", "Enter the mastery points")
	res, body = ac.get(page)
	mustContain(t, "changed", body, "Changed title, mastery points", "Aligned to the state standard", "Reads closely and cites evidence", "2.5")

	// A teacher attaches it to graded work: results are recorded.
	res, body = tc.api("PUT", "/api/v1/assignments/"+g.hw1+"/outcomes/"+id, tcsrf, map[string]string{"reason": "Homework 1 reads a text"})
	mustStatus(t, "attach", res, body, 200)
	results := d.count(t, `SELECT count(*) FROM outcome_results WHERE outcome_id = $1`, id)
	if results != 2 {
		t.Fatalf("results after attaching: %d, want 2", results)
	}

	if res, body = ac.post(page+"/archive", url.Values{"_csrf": {acsrf}, "reason": {"Replaced by the new framework"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("archive: %d\n%s", res.StatusCode, snippet(body))
	}
	if n := d.count(t, `SELECT count(*) FROM outcome_results WHERE outcome_id = $1`, id); n != results {
		t.Errorf("archiving left %d results of %d", n, results)
	}
	if n := d.count(t, `SELECT count(*) FROM assignments WHERE $1 = ANY (outcome_ids)`, id); n != 1 {
		t.Errorf("archiving detached the outcome: %d attachments", n)
	}
	res, body = ac.get(page)
	mustContain(t, "archived", body, `<span class="badge">Archived</span>`, "Restore outcome", "Archived", "Replaced by the new framework",
		"Attached to assignment &#34;HW 1&#34;", "Homework 1 reads a text")
	res, body = ac.get("/admin/outcomes")
	mustContain(t, "archived in the list", body, `<span class="badge">Archived</span>`)
	// Mastery still counts its results.
	res, body = tc.get("/assess/sections/" + d.section + "/outcomes")
	mustContain(t, "mastery after archiving", body, "Reads closely and cites evidence")
	// Archived: not attached to more work, but the existing attachment stays.
	res, body = tc.api("PUT", "/api/v1/assignments/"+g.hw2+"/outcomes/"+id, tcsrf, nil)
	mustStatus(t, "attach archived", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "attach archived", body, "is archived: restore it before attaching it to more work")
	res, body = tc.api("PUT", "/api/v1/assignments/"+g.hw1+"/outcomes/"+id, tcsrf, nil)
	mustStatus(t, "attach archived again", res, body, 200)
	// The forms offer it only where it is already attached.
	res, body = tc.get("/teach/assignments/" + g.hw1 + "/edit")
	mustContain(t, "form with the archived outcome", body, `value="`+id+`" checked`, ", archived)")
	for _, p := range []string{"/teach/assignments/" + g.hw2 + "/edit", "/teach/rubrics/new"} {
		res, body = tc.get(p)
		mustStatus(t, p, res, body, 200)
		if strings.Contains(body, id) {
			t.Errorf("%s offers the archived outcome", p)
		}
	}

	if res, body = ac.post(page+"/restore", url.Values{"_csrf": {acsrf}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("restore: %d\n%s", res.StatusCode, snippet(body))
	}
	res, body = ac.get(page)
	mustContain(t, "restored", body, "Restored", "Archive outcome")
	if n := d.count(t, `SELECT count(*) FROM outcome_audit WHERE outcome_id = $1 AND kind = 'outcome'`, id); n != 4 {
		t.Errorf("outcome entries in the history: %d, want 4 (created, changed, archived, restored)", n)
	}

	// Only district admins; a section's outcome is its teachers'.
	for _, role := range []db.Role{db.SchoolAdmin, db.Teacher, db.Student, db.Guardian} {
		c, csrf := d.session(role)
		for _, p := range []string{"/admin/outcomes", page} {
			if res, _ := c.get(p); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s: %d, want 403", role, p, res.StatusCode)
			}
		}
		if res, _ := c.post(page+"/archive", url.Values{"_csrf": {csrf}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s archives: %d, want 403", role, res.StatusCode)
		}
	}
	if res, _ := d.client().get(page); res.StatusCode != http.StatusSeeOther {
		t.Errorf("signed out: %d, want a redirect to sign in", res.StatusCode)
	}
	var course *outcomes.Outcome
	if err := d.db.InTx(context.Background(), teacher, func(s *db.Scope) (err error) {
		course, err = outcomes.Create(context.Background(), s, d.section, outcomes.Input{Title: "Graphs lines", Scale: outcomes.DefaultScale,
			MasteryPoints: "3", Method: "latest"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if res, _ := ac.get("/admin/outcomes/" + course.ID); res.StatusCode != http.StatusNotFound {
		t.Errorf("a section's outcome on the admin page: %d, want 404", res.StatusCode)
	}
}

// The teacher's outcome page shows its history and archives it; archiving
// keeps every result, and the database refuses to delete an outcome that
// has results.
func TestTeacherArchivesACourseOutcomeAndReadsItsHistory(t *testing.T) {
	d := newDistrict(t, "outteach")
	tc, tcsrf := d.session(db.Teacher)
	teacher := d.actorOf(tc, db.Teacher)
	g := d.gradeSection(t, teacher)
	page := "/teach/sections/" + d.section + "/outcomes"
	form := url.Values{"_csrf": {tcsrf}, "title": {"Solves equations"}, "scale": {"4 Exceeds\n3 Meets\n2 Near\n1 Below"},
		"mastery_points": {"3"}, "method": {"highest"}}
	if res, body := tc.post(page, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", res.StatusCode, snippet(body))
	}
	id := d.outcomeID(t, "Solves equations")
	res, body := tc.api("PUT", "/api/v1/assignments/"+g.hw1+"/outcomes/"+id, tcsrf, nil)
	mustStatus(t, "attach", res, body, 200)
	res, body = tc.get("/teach/outcomes/" + id)
	mustStatus(t, "edit page", res, body, 200)
	mustContain(t, "edit page", body, "History", "Created", "Attached to assignment &#34;HW 1&#34;", "Result 4 for Student Test on &#34;HW 1&#34;",
		"Archive outcome")
	if res, body = tc.post("/teach/outcomes/"+id+"/archive", url.Values{"_csrf": {tcsrf}, "reason": {strings.Repeat("x", 501)}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a long reason: %d\n%s", res.StatusCode, snippet(body))
	}
	mustContain(t, "a long reason", body, "Keep the reason under 500 characters.")
	if res, body = tc.post("/teach/outcomes/"+id+"/archive", url.Values{"_csrf": {tcsrf}, "reason": {"Merged into another"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("archive: %d\n%s", res.StatusCode, snippet(body))
	}
	if n := d.count(t, `SELECT count(*) FROM outcome_results WHERE outcome_id = $1`, id); n != 2 {
		t.Errorf("results after archiving: %d, want 2", n)
	}
	res, body = tc.get(page)
	mustContain(t, "list", body, "Solves equations", `<span class="badge">Archived</span>`)
	res, body = tc.get("/teach/outcomes/" + id)
	mustContain(t, "archived", body, "Restore outcome", "Merged into another")
	other := d.otherTeacher()
	if res, _ := other.get("/teach/outcomes/" + id); res.StatusCode != http.StatusNotFound {
		t.Errorf("another teacher's view: %d", res.StatusCode)
	}
	// The app role cannot delete it while it has results.
	err := d.db.InTx(context.Background(), teacher, func(s *db.Scope) error {
		_, err := s.Tx.Exec(context.Background(), `DELETE FROM outcomes WHERE id = $1`, id)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "archive it instead") {
		t.Errorf("deleting an assessed outcome: %v", err)
	}
}

// Outcome writes through the API, for every role: who may create, change,
// archive and restore which outcome, read its history, and attach or
// detach it to assignments and rubric criteria; validation errors name the
// field and say what to fix; every change is in the history.
func TestOutcomeWritesThroughTheAPI(t *testing.T) {
	d := newDistrict(t, "outapi")
	ac, acsrf := d.session(db.DistrictAdmin)
	tc, tcsrf := d.session(db.Teacher)
	teacher := d.actorOf(tc, db.Teacher)
	g := d.gradeSection(t, teacher)
	others := map[db.Role]*client{}
	csrfs := map[db.Role]string{}
	for _, role := range []db.Role{db.SchoolAdmin, db.Student, db.Guardian} {
		others[role], csrfs[role] = d.session(role)
	}
	anon := d.client()
	stranger := d.otherTeacher() // a teacher of school A who teaches nothing
	valid := map[string]string{"title": "Argues a claim", "scale": "4 Exceeds\n3 Meets\n2 Near\n1 Below", "masteryPoints": "3",
		"method": "n_mastery", "calculationInt": "2"}

	// Create a district outcome: district admins only.
	res, body := ac.api("POST", "/api/v1/outcomes", acsrf, map[string]string{"title": "", "scale": "x", "masteryPoints": "3", "method": "n_mastery", "calculationInt": "0"})
	mustStatus(t, "invalid", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "invalid", body, `"field":"title"`, `"field":"scale"`, `"field":"calculationInt"`, "Write each rating as points then a name")
	if res, body = ac.api("POST", "/api/v1/outcomes", acsrf, map[string]any{"title": 5}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("malformed JSON: %d", res.StatusCode)
	}
	res, body = ac.api("POST", "/api/v1/outcomes", acsrf, valid)
	mustStatus(t, "admin creates", res, body, http.StatusCreated)
	district := decodeJSON[outcomes.Outcome](t, "created", body)
	if district.SectionID != nil || district.CalculationInt == nil || *district.CalculationInt != 2 || district.MasteryPoints != 3 {
		t.Errorf("created: %+v", district)
	}
	for role, c := range others {
		if res, _ := c.api("POST", "/api/v1/outcomes", csrfs[role], valid); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s creates a district outcome: %d, want 403", role, res.StatusCode)
		}
	}
	if res, _ := tc.api("POST", "/api/v1/outcomes", tcsrf, valid); res.StatusCode != http.StatusForbidden {
		t.Errorf("teacher creates a district outcome: %d", res.StatusCode)
	}
	if res, _ := anon.api("POST", "/api/v1/outcomes", "", valid); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous creates: %d", res.StatusCode)
	}

	// A course outcome: the section's teachers.
	course := "/api/v1/sections/" + d.section + "/outcomes"
	res, body = tc.api("POST", course, tcsrf, map[string]string{"title": "Solves equations", "scale": "4 A\n2 B", "masteryPoints": "3", "method": "average"})
	mustStatus(t, "teacher creates", res, body, http.StatusCreated)
	own := decodeJSON[outcomes.Outcome](t, "course outcome", body)
	if own.SectionID == nil || *own.SectionID != d.section {
		t.Errorf("course outcome: %+v", own)
	}
	if res, _ := stranger.api("POST", course, tcsrf, valid); res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusForbidden {
		t.Errorf("another teacher adds to the section: %d", res.StatusCode)
	}
	for role, c := range map[db.Role]*client{db.DistrictAdmin: ac, db.SchoolAdmin: others[db.SchoolAdmin], db.Student: others[db.Student], db.Guardian: others[db.Guardian]} {
		csrf := csrfs[role]
		if role == db.DistrictAdmin {
			csrf = acsrf
		}
		if res, _ := c.api("POST", course, csrf, valid); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s adds a course outcome: %d, want 403", role, res.StatusCode)
		}
	}

	// Reading: everyone signed in reads what they may see.
	res, body = others[db.Student].get("/api/v1/outcomes")
	mustStatus(t, "student lists", res, body, 200)
	mustContain(t, "student lists", body, "Argues a claim", "Solves equations")
	res, body = others[db.Guardian].get("/api/v1/outcomes/" + own.ID)
	mustStatus(t, "guardian reads", res, body, 200)

	// Changing: the district's by district admins, the section's by its teachers.
	change := func(c *client, csrf, id string, title string) (*http.Response, string) {
		in := map[string]string{}
		for k, v := range valid {
			in[k] = v
		}
		in["title"], in["reason"] = title, "Renamed to match the framework"
		return c.api("PUT", "/api/v1/outcomes/"+id, csrf, in)
	}
	res, body = change(ac, acsrf, district.ID, "Argues a claim with evidence")
	mustStatus(t, "admin changes", res, body, 200)
	if res, _ = change(tc, tcsrf, district.ID, "Taken over"); res.StatusCode != http.StatusForbidden {
		t.Errorf("teacher changes a district outcome: %d, want 403", res.StatusCode)
	}
	res, body = change(tc, tcsrf, own.ID, "Solves linear equations")
	mustStatus(t, "teacher changes their own", res, body, 200)
	for role, c := range others {
		if res, _ = change(c, csrfs[role], own.ID, "Forged"); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s changes an outcome: %d, want 403", role, res.StatusCode)
		}
	}
	if res, _ = change(anon, "", own.ID, "Forged"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous changes: %d", res.StatusCode)
	}
	res, body = tc.api("PUT", "/api/v1/outcomes/"+own.ID, tcsrf, map[string]string{"title": "x", "scale": "4 A\n2 B", "masteryPoints": "5", "method": "latest"})
	mustStatus(t, "invalid change", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "invalid change", body, `"field":"masteryPoints"`)

	// Attaching and detaching: the teacher's assignments and rubrics.
	attach := "/api/v1/assignments/" + g.hw1 + "/outcomes/" + own.ID
	res, body = tc.api("PUT", attach, tcsrf, map[string]string{"reason": "Practice for the unit"})
	mustStatus(t, "attach", res, body, 200)
	mustContain(t, "attach", body, own.ID)
	res, body = tc.api("PUT", "/api/v1/assignments/"+g.hw1+"/outcomes/"+district.ID, tcsrf, nil)
	mustStatus(t, "attach a second", res, body, 200)
	if got := decodeJSON[struct {
		OutcomeIDs []string `json:"outcomeIds"`
	}](t, "attached", body); len(got.OutcomeIDs) != 2 {
		t.Errorf("attached: %v", got.OutcomeIDs)
	}
	res, body = tc.api("PUT", "/api/v1/assignments/"+g.hw1+"/outcomes/00000000-0000-4000-8000-000000000000", tcsrf, nil)
	mustStatus(t, "attach an unknown outcome", res, body, http.StatusUnprocessableEntity)
	for role, c := range others {
		if res, _ := c.api("PUT", attach, csrfs[role], nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s attaches: %d, want 403", role, res.StatusCode)
		}
		if res, _ := c.api("DELETE", attach, csrfs[role], nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s detaches: %d, want 403", role, res.StatusCode)
		}
	}
	if res, _ := ac.api("DELETE", attach, acsrf, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("district admin detaches: %d, want 403", res.StatusCode)
	}
	if res, _ := anon.api("DELETE", attach, "", nil); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous detaches: %d", res.StatusCode)
	}
	if res, _ := stranger.api("PUT", attach, tcsrf, nil); res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusForbidden {
		t.Errorf("another teacher attaches: %d", res.StatusCode)
	}
	res, body = tc.api("DELETE", "/api/v1/assignments/"+g.hw1+"/outcomes/"+district.ID+"?reason=Wrong+standard", tcsrf, nil)
	mustStatus(t, "detach", res, body, 200)
	if got := decodeJSON[struct {
		OutcomeIDs []string `json:"outcomeIds"`
	}](t, "detached", body); len(got.OutcomeIDs) != 1 || got.OutcomeIDs[0] != own.ID {
		t.Errorf("after detaching: %v", got.OutcomeIDs)
	}

	var rubric *rubrics.Rubric
	if err := d.db.InTx(context.Background(), teacher, func(s *db.Scope) (err error) {
		rubric, err = rubrics.Create(context.Background(), s, rubrics.Input{Title: "Essay", Criteria: []rubrics.InputCriterion{
			{Title: "Thesis", Levels: "5 Clear\n2 Vague"}, {Title: "Evidence", Levels: "5 Strong\n1 Thin"}}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	crit := "/api/v1/rubrics/" + rubric.ID + "/criteria/1/outcome"
	res, body = tc.api("PUT", crit, tcsrf, map[string]string{"outcomeId": district.ID, "reason": "Evidence is the standard"})
	mustStatus(t, "link criterion", res, body, 200)
	linked := decodeJSON[rubrics.Rubric](t, "linked", body)
	if linked.Criteria[1].OutcomeID != district.ID || linked.Criteria[0].OutcomeID != "" {
		t.Errorf("linked criteria: %+v", linked.Criteria)
	}
	res, body = tc.api("PUT", "/api/v1/rubrics/"+rubric.ID+"/criteria/7/outcome", tcsrf, map[string]string{"outcomeId": district.ID})
	mustStatus(t, "no such criterion", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "no such criterion", body, "criteria 0 to 1")
	res, body = tc.api("PUT", crit, tcsrf, map[string]string{"outcomeId": ""})
	mustStatus(t, "no outcome", res, body, http.StatusUnprocessableEntity)
	if res, _ := stranger.api("PUT", crit, tcsrf, map[string]string{"outcomeId": district.ID}); res.StatusCode == http.StatusOK {
		t.Errorf("another teacher links a criterion of a rubric they do not own")
	}
	for role, c := range others {
		if res, _ := c.api("PUT", crit, csrfs[role], map[string]string{"outcomeId": district.ID}); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s links a criterion: %d, want 403", role, res.StatusCode)
		}
	}
	res, body = tc.api("DELETE", crit+"?reason=Too+broad", tcsrf, nil)
	mustStatus(t, "unlink criterion", res, body, 200)
	if decodeJSON[rubrics.Rubric](t, "unlinked", body).Criteria[1].OutcomeID != "" {
		t.Errorf("still linked")
	}

	// Archiving and restoring, with the history.
	res, body = tc.api("POST", "/api/v1/outcomes/"+own.ID+"/archive", tcsrf, map[string]string{"reason": "Replaced"})
	mustStatus(t, "archive", res, body, 200)
	if decodeJSON[outcomes.Outcome](t, "archived", body).ArchivedAt == nil {
		t.Errorf("not archived: %s", body)
	}
	if res, _ := tc.api("POST", "/api/v1/outcomes/"+district.ID+"/archive", tcsrf, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("teacher archives a district outcome: %d, want 403", res.StatusCode)
	}
	for role, c := range others {
		for _, verb := range []string{"archive", "restore"} {
			if res, _ := c.api("POST", "/api/v1/outcomes/"+own.ID+"/"+verb, csrfs[role], nil); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s: %d, want 403", role, verb, res.StatusCode)
			}
		}
	}
	res, body = ac.api("POST", "/api/v1/outcomes/"+district.ID+"/archive", acsrf, nil)
	mustStatus(t, "admin archives", res, body, 200)
	res, body = ac.api("POST", "/api/v1/outcomes/"+district.ID+"/restore", acsrf, map[string]string{"reason": "Still needed"})
	mustStatus(t, "admin restores", res, body, 200)
	if decodeJSON[outcomes.Outcome](t, "restored", body).ArchivedAt != nil {
		t.Errorf("still archived")
	}
	if n := d.count(t, `SELECT count(*) FROM outcome_results WHERE outcome_id = $1`, own.ID); n != 2 {
		t.Errorf("the archived outcome's results: %d, want 2", n)
	}

	type history struct {
		Items []outcomes.TrailEntry `json:"items"`
		Next  int64                 `json:"next"`
	}
	res, body = tc.get("/api/v1/outcomes/" + own.ID + "/history")
	mustStatus(t, "teacher's history", res, body, 200)
	h := decodeJSON[history](t, "history", body)
	kinds := map[string]int{}
	for _, c := range h.Items {
		kinds[c.Kind]++
	}
	if kinds["outcome"] != 3 || kinds["link"] != 1 || kinds["result"] != 2 || h.Items[0].Reason != "Replaced" || h.Items[0].Summary() != "Archived" {
		t.Errorf("teacher's history: %v, newest %+v", kinds, h.Items[0])
	}
	res, body = ac.get("/api/v1/outcomes/" + district.ID + "/history")
	mustStatus(t, "admin's history", res, body, 200)
	h = decodeJSON[history](t, "admin history", body)
	var summaries []string
	for _, c := range h.Items {
		if c.Kind != "result" { // removing the attachment removed its results: entries of their own
			summaries = append(summaries, c.Summary()+" / "+c.Reason)
		}
	}
	want := []string{
		"Restored / Still needed", "Archived / ",
		`Detached from rubric "Essay", criterion "Evidence" / Too broad`,
		`Attached to rubric "Essay", criterion "Evidence" / Evidence is the standard`,
		`Detached from assignment "HW 1" / Wrong standard`,
	}
	if len(summaries) < len(want) || strings.Join(summaries[:len(want)], "\n") != strings.Join(want, "\n") {
		t.Errorf("admin's history:\n%s", strings.Join(summaries, "\n"))
	}
	if res, _ := tc.get("/api/v1/outcomes/" + district.ID + "/history"); res.StatusCode != http.StatusForbidden {
		t.Errorf("teacher reads a district outcome's history: %d, want 403", res.StatusCode)
	}
	for role, c := range others {
		if res, _ := c.get("/api/v1/outcomes/" + own.ID + "/history"); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s reads the history: %d, want 403", role, res.StatusCode)
		}
	}
	if res, _ := tc.get("/api/v1/outcomes/" + own.ID + "/history?before=x"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("a bad before: %d", res.StatusCode)
	}
}
