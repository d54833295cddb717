package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/outcomes"
)

// masterySection gives the graded section an outcome (mastery at 3.05 of
// 4, by average) measured by all three assignments: HW 1 10/10 → 4 and
// HW 2 5/10 → 2 are posted, the unit test's 80/100 → 3.2 is not.
func (d *district) masterySection(t *testing.T, tc *client, tcsrf string, g gradedSection) string {
	t.Helper()
	form := url.Values{"_csrf": {tcsrf}, "title": {"Solves linear equations"}, "scale": {"4 Exceeds\n3 Meets\n2 Near\n1 Below"},
		"mastery_points": {"3.05"}, "method": {"average"}}
	if res, body := tc.post("/teach/sections/"+d.section+"/outcomes", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create outcome: %d\n%s", res.StatusCode, snippet(body))
	}
	oid := d.outcomeID(t, "Solves linear equations")
	ctx := context.Background()
	if err := d.db.InTx(ctx, d.actorOf(tc, db.Teacher), func(s *db.Scope) error {
		for _, a := range []string{g.hw1, g.hw2, g.test} {
			if err := outcomes.SetAssignmentOutcomes(ctx, s, a, []string{oid}, "test"); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return oid
}

// The student's class page and the guardian's home show mastery per
// outcome (title, score, mastered or not, the method in words) from posted
// grades only: the unposted unit test's result is invisible to both until
// the teacher posts it. Before the class measures any outcome, both say so.
func TestOutcomeMasteryOnTheStudentAndGuardianPages(t *testing.T) {
	d := newDistrict(t, "masterypages")
	tc, tcsrf := d.session(db.Teacher)
	sc, _ := d.session(db.Student)
	gc, _ := d.session(db.Guardian)
	g := d.gradeSection(t, d.actorOf(tc, db.Teacher))
	class := "/learn/sections/" + d.section

	res, body := sc.get(class)
	mustStatus(t, "student, no outcomes", res, body, 200)
	mustContain(t, "student, no outcomes", body, "Outcome mastery", "This class does not measure outcomes")
	res, body = gc.get("/")
	mustStatus(t, "guardian, no outcomes", res, body, 200)
	mustContain(t, "guardian, no outcomes", body, "Outcome mastery", "classes measures outcomes (standards) yet")

	d.masterySection(t, tc, tcsrf, g)
	// The teacher's mastery gradebook counts all three: (4 + 2 + 3.2) / 3.
	res, body = tc.get("/assess/sections/" + d.section + "/outcomes")
	mustContain(t, "teacher's mastery", body, "3.07", "3 results")

	// Student and guardian: (4 + 2) / 2 = 3.00, below 3.05.
	for _, c := range []struct {
		who  string
		c    *client
		path string
	}{{"student", sc, class}, {"guardian", gc, "/"}} {
		res, body := c.c.get(c.path)
		mustStatus(t, c.who, res, body, 200)
		mustContain(t, c.who, body, "Solves linear equations", "<strong>3.00</strong>", "(mastery at 3.05 of 4)", "Not yet", "2 results", "Average")
		if strings.Contains(body, "3.07") || strings.Contains(body, "3 results") || strings.Contains(body, "3.20") {
			t.Errorf("%s sees mastery from an unposted grade", c.who)
		}
	}

	// Posted: the unit test's result counts for both, and it is mastered.
	if res, body := tc.post("/teach/assignments/"+g.test+"/post", url.Values{"_csrf": {tcsrf}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("post grades: %d\n%s", res.StatusCode, snippet(body))
	}
	for _, c := range []struct {
		who  string
		c    *client
		path string
	}{{"student", sc, class}, {"guardian", gc, "/"}} {
		res, body := c.c.get(c.path)
		mustStatus(t, c.who+" after posting", res, body, 200)
		mustContain(t, c.who+" after posting", body, "<strong>3.07</strong>", "Mastered", "3 results")
	}
}
