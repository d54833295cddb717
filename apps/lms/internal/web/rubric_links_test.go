package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/coursework"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/outcomes"
	"bellwork.dev/bellwork/apps/lms/internal/rubrics"
)

// othersOutcome adds a section the district's teacher does not teach, with
// an outcome of its own, and answers the outcome's id.
func (d *district) othersOutcome(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	var id string
	err := d.db.InTx(ctx, db.SystemActor(), func(s *db.Scope) error {
		return s.Tx.QueryRow(ctx, `WITH sec AS (INSERT INTO sections (school_id, course_id, title, period)
			SELECT school_id, course_id, 'Biology - P3', '3' FROM sections WHERE id = $1 RETURNING id, school_id)
			INSERT INTO outcomes (section_id, school_id, title, points_possible, mastery_points, method)
			SELECT id, school_id, 'Explains cells', 4, 3, 'highest' FROM sec RETURNING id`, d.section).Scan(&id)
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// A rubric criterion measures only an outcome its teacher sees, and not a
// newly linked archived one: the page answers 422 with the message beside
// the criterion, the API 422 naming the criterion. A criterion keeps the
// archived outcome it already measured.
func TestRubricCriteriaMeasureOnlyUsableOutcomes(t *testing.T) {
	d := newDistrict(t, "rubriclinks")
	ac, acsrf := d.session(db.DistrictAdmin)
	tc, tcsrf := d.session(db.Teacher)
	res, body := ac.api("POST", "/api/v1/outcomes", acsrf, map[string]string{"title": "Old framework", "scale": "4 A\n1 B",
		"masteryPoints": "3", "method": "highest"})
	mustStatus(t, "district outcome", res, body, http.StatusCreated)
	archived := decodeJSON[outcomes.Outcome](t, "district outcome", body).ID
	res, body = ac.api("POST", "/api/v1/outcomes/"+archived+"/archive", acsrf, nil)
	mustStatus(t, "archive", res, body, 200)
	res, body = tc.api("POST", "/api/v1/sections/"+d.section+"/outcomes", tcsrf, map[string]string{"title": "Solves equations",
		"scale": "4 A\n1 B", "masteryPoints": "3", "method": "highest"})
	mustStatus(t, "own outcome", res, body, http.StatusCreated)
	own := decodeJSON[outcomes.Outcome](t, "own outcome", body).ID
	others := d.othersOutcome(t)

	input := func(outcomeID string) rubrics.Input {
		return rubrics.Input{Title: "Essay", Criteria: []rubrics.InputCriterion{{Title: "Thesis", Levels: "4 Clear\n1 Vague"},
			{Title: "Method", Levels: "4 Sound\n1 Guessed", OutcomeID: outcomeID}}}
	}
	form := func(outcomeID string) url.Values {
		return url.Values{"_csrf": {tcsrf}, "title": {"Essay"}, "criterion_0": {"Thesis"}, "levels_0": {"4 Clear\n1 Vague"},
			"criterion_1": {"Method"}, "levels_1": {"4 Sound\n1 Guessed"}, "outcome_1": {outcomeID}}
	}
	refused := []struct{ what, id, says string }{
		{"an archived outcome", archived, "is archived. Restore it"},
		{"another section's outcome", others, "you cannot use it"},
		{"no outcome at all", "not-an-id", "you cannot use it"},
	}
	for _, r := range refused {
		res, body = tc.api("POST", "/api/v1/rubrics", tcsrf, input(r.id))
		mustStatus(t, "API create with "+r.what, res, body, http.StatusUnprocessableEntity)
		mustContain(t, "API create with "+r.what, body, `"field":"criteria.1"`, r.says)
		res, body = tc.post("/teach/rubrics", form(r.id))
		mustStatus(t, "page create with "+r.what, res, body, http.StatusUnprocessableEntity)
		mustContain(t, "page create with "+r.what, body, `id="criterion_1_error"`, r.says)
	}
	if n := d.count(t, `SELECT count(*) FROM rubrics WHERE school_id = $1`, d.schoolA); n != 0 {
		t.Errorf("rubrics saved: %d, want 0", n)
	}
	if n := d.count(t, `SELECT count(*) FROM outcome_audit WHERE kind = 'link' AND outcome_id = $1`, others); n != 0 {
		t.Errorf("entries in the other section's trail: %d, want 0", n)
	}

	res, body = tc.api("POST", "/api/v1/rubrics", tcsrf, input(own))
	mustStatus(t, "create with the teacher's outcome", res, body, http.StatusCreated)
	id := decodeJSON[rubrics.Rubric](t, "rubric", body).ID
	for _, r := range refused {
		res, body = tc.api("PUT", "/api/v1/rubrics/"+id, tcsrf, input(r.id))
		mustStatus(t, "API update with "+r.what, res, body, http.StatusUnprocessableEntity)
		mustContain(t, "API update with "+r.what, body, `"field":"criteria.1"`, r.says)
		res, body = tc.post("/teach/rubrics/"+id, form(r.id))
		mustStatus(t, "page update with "+r.what, res, body, http.StatusUnprocessableEntity)
		mustContain(t, "page update with "+r.what, body, `id="criterion_1_error"`, r.says)
	}
	// Archived after linking: the criterion keeps it, the rubric may still change.
	res, body = tc.api("POST", "/api/v1/outcomes/"+own+"/archive", tcsrf, nil)
	mustStatus(t, "archive own", res, body, 200)
	changed := input(own)
	changed.Title = "Essay (2026)"
	res, body = tc.api("PUT", "/api/v1/rubrics/"+id, tcsrf, changed)
	mustStatus(t, "update keeping an archived link", res, body, 200)
	res, body = tc.post("/teach/rubrics/"+id, form(own))
	mustStatus(t, "page update keeping an archived link", res, body, http.StatusSeeOther)
}

// Linking or unlinking an outcome on a criterion of a rubric that already
// rated a grade works (criteria endpoint, API update and page) and
// re-records the grade's outcome results; its levels still may not change.
func TestLinkingAnOutcomeOnARatedRubricRerecords(t *testing.T) {
	d := newDistrict(t, "ratedlinks")
	tc, tcsrf := d.session(db.Teacher)
	res, body := tc.api("POST", "/api/v1/sections/"+d.section+"/outcomes", tcsrf, map[string]string{"title": "Argues a claim",
		"scale": "4 A\n1 B", "masteryPoints": "3", "method": "highest"})
	mustStatus(t, "outcome", res, body, http.StatusCreated)
	own := decodeJSON[outcomes.Outcome](t, "outcome", body).ID
	in := rubrics.Input{Title: "Essay", Criteria: []rubrics.InputCriterion{{Title: "Clarity", Levels: "4 Clear\n1 Muddled"}}}
	res, body = tc.api("POST", "/api/v1/rubrics", tcsrf, in)
	mustStatus(t, "rubric", res, body, http.StatusCreated)
	rubric := decodeJSON[rubrics.Rubric](t, "rubric", body).ID
	res, body = tc.api("POST", "/api/v1/sections/"+d.section+"/assignments", tcsrf, coursework.AssignmentInput{Title: "Essay 1",
		GradingType: "points", PointsPossible: "4", SectionIDs: []string{d.section}, RubricID: rubric})
	mustStatus(t, "assignment", res, body, http.StatusCreated)
	asg := decodeJSON[coursework.Assignment](t, "assignment", body)
	res, body = tc.api("PUT", "/api/v1/assignments/"+asg.ID+"/grades/"+d.users[db.Student].ID, tcsrf, coursework.GradeInput{RubricLevels: map[string]int{"0": 0}})
	mustStatus(t, "grade with the rubric", res, body, 200)
	results := func() int {
		return d.count(t, `SELECT count(*) FROM outcome_results WHERE outcome_id = $1 AND assignment_id = $2`, own, asg.ID)
	}

	crit := "/api/v1/rubrics/" + rubric + "/criteria/0/outcome"
	res, body = tc.api("PUT", crit, tcsrf, map[string]string{"outcomeId": own, "reason": "Clarity is the claim"})
	mustStatus(t, "link on a rated rubric", res, body, 200)
	if n := results(); n != 1 {
		t.Errorf("results after linking: %d, want 1", n)
	}
	res, body = tc.api("DELETE", crit, tcsrf, nil)
	mustStatus(t, "unlink on a rated rubric", res, body, 200)
	if n := results(); n != 0 {
		t.Errorf("results after unlinking: %d, want 0", n)
	}
	in.Criteria[0].OutcomeID = own
	res, body = tc.api("PUT", "/api/v1/rubrics/"+rubric, tcsrf, in)
	mustStatus(t, "API update linking on a rated rubric", res, body, 200)
	if n := results(); n != 1 {
		t.Errorf("results after the API update: %d, want 1", n)
	}
	res, body = tc.post("/teach/rubrics/"+rubric, url.Values{"_csrf": {tcsrf}, "title": {"Essay"}, "criterion_0": {"Clarity"},
		"levels_0": {"4 Clear\n1 Muddled"}, "outcome_0": {""}})
	mustStatus(t, "page update unlinking on a rated rubric", res, body, http.StatusSeeOther)
	if n := results(); n != 0 {
		t.Errorf("results after the page update: %d, want 0", n)
	}
	in.Criteria[0].Levels = "3 Clear\n1 Muddled"
	res, body = tc.api("PUT", "/api/v1/rubrics/"+rubric, tcsrf, in)
	mustStatus(t, "levels change with a link", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "levels change with a link", body, "already rated grades (1)")
}
