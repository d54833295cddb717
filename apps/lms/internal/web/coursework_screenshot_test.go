package web

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/people"
)

// Course delivery in Chromium: every teacher and student page, full and
// empty, and the grading view driven with the keyboard alone: arrow keys
// rate the rubric (which fills the score), Ctrl+Enter saves and moves to
// the next student, Alt+← goes back.
func TestCourseworkPagesInChromium(t *testing.T) {
	b := startBrowser(t)
	d := newDistrict(t, "cwshots")
	ctx := context.Background()
	// A second student, so the grading view has a next one.
	err := d.db.InTx(ctx, db.SystemActor(), func(s *db.Scope) error {
		u, err := people.CreateUser(ctx, s, people.NewUser{Email: "zoe@cwshots.org", GivenName: "Zoe", FamilyName: "Zimmer"}, db.Student, d.schoolA)
		if err != nil {
			return err
		}
		_, err = s.Tx.Exec(ctx, `INSERT INTO enrollments (section_id, school_id, user_id, role) VALUES ($1, $2, $3, 'student')`, d.section, d.schoolA, u.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	shoot := shooter(t, b, d)
	teacher, tcsrf := d.session(db.Teacher)
	student, scsrf := d.session(db.Student)
	signInBrowser(t, b, d, teacher)
	shoot("section-empty", "/teach/sections/"+d.section, "Algebra I - P1")
	shoot("rubrics-empty", "/teach/rubrics", "Rubrics")
	shoot("rubric-new", "/teach/rubrics/new", "New rubric")
	shoot("assignment-new", "/teach/sections/"+d.section+"/assignments/new", "New assignment")

	res, body := teacher.post("/teach/rubrics", url.Values{"_csrf": {tcsrf}, "title": {"Lab rubric"},
		"criterion_0": {"Method"}, "levels_0": {"4 Sound\n2 Gaps\n0 Missing"}, "criterion_1": {"Conclusion"}, "levels_1": {"3 Supported\n1 Unsupported"}})
	mustStatus(t, "rubric", res, body, 303)
	rubric := locationID(t, res)
	due := time.Now().Add(48 * time.Hour).In(mustZone(t, "America/Chicago")).Format("2006-01-02T15:04")
	res, body = teacher.post("/teach/sections/"+d.section+"/assignments", url.Values{"_csrf": {tcsrf}, "title": {"Density lab"},
		"instructions": {"<p>Measure three objects and <b>explain</b> your method.</p><ul><li>Scale</li><li>Cylinder</li></ul>"},
		"grading_type": {"points"}, "points_possible": {"7"}, "section_ids": {d.section}, "submission_types": {"text", "file"},
		"due": {due}, "rubric_id": {rubric}})
	mustStatus(t, "assignment", res, body, 303)
	asg := locationID(t, res)
	_, _ = teacher.post("/teach/assignments/"+asg+"/publish", url.Values{"_csrf": {tcsrf}, "published": {"true"}})
	_, _ = teacher.post("/teach/sections/"+d.section+"/announcements", url.Values{"_csrf": {tcsrf}, "title": {"Lab on Thursday"},
		"body": {"Bring <b>goggles</b>."}})
	_, _ = student.post("/learn/assignments/"+asg+"/submissions", url.Values{"_csrf": {scsrf}, "kind": {"text"},
		"body": {"The block was 2.7 g/cm³, so aluminium."}})

	shoot("section", "/teach/sections/"+d.section, "Algebra I - P1")
	shoot("rubric", "/teach/rubrics/"+rubric, "Lab rubric")
	shoot("assignment-teacher", "/teach/assignments/"+asg, "Density lab")
	shoot("assignment-edit", "/teach/assignments/"+asg+"/edit", "Edit Density lab")
	stu := d.users[db.Student].ID
	shoot("grading", "/teach/assignments/"+asg+"/grade/"+stu, "Student Test")

	// The keyboard: focus the first rubric level, choose it, arrow down to
	// "Gaps", then choose "Supported" in the next criterion.
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		c, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
		defer cancel()
		if err := chromedp.Do(c, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	read := func(what string, a chromedp.Action[string]) string {
		t.Helper()
		c, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
		defer cancel()
		v, err := chromedp.Run(c, a)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	step("rate with the keyboard",
		chromedp.Focus(chromedp.CSS(`input[name="rubric_0"][value="0"]`)),
		chromedp.KeyEvent(" "),
		chromedp.KeyEvent(kb.ArrowDown),
		chromedp.Focus(chromedp.CSS(`input[name="rubric_1"][value="0"]`)),
		chromedp.KeyEvent(" "))
	if score := read("score", chromedp.Value(chromedp.CSS(`#score`))); score != "5" {
		t.Errorf("the rubric filled the score with %q, want 5 (2 + 3)", score)
	}
	step("Ctrl+Enter saves and moves on",
		chromedp.Focus(chromedp.CSS(`#comment`)),
		chromedp.KeyEvent("Good method."),
		chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	location := read("location", chromedp.Location())
	h1 := read("heading", chromedp.Text(chromedp.CSS("h1")))
	if !strings.Contains(h1, "Zoe Zimmer") || !strings.Contains(location, "done=grade-saved") {
		t.Errorf("after Ctrl+Enter: %s, heading %q; want the next student with the saved flash", location, h1)
	}
	if err := b.Screenshot(artifacts(t) + "/grading-next.png"); err != nil {
		t.Fatal(err)
	}
	step("Alt+ArrowLeft goes back",
		chromedp.KeyEvent(kb.ArrowLeft, chromedp.KeyModifiers(chromedp.ModifierAlt)),
		chromedp.Sleep(time.Second))
	if h1 := read("heading", chromedp.Text(chromedp.CSS("h1"))); !strings.Contains(h1, "Student Test") {
		t.Errorf("after Alt+ArrowLeft: heading %q, want the previous student", h1)
	}
	_, body = teacher.get("/teach/assignments/" + asg + "/grade/" + stu)
	mustContain(t, "the grade saved from the keyboard", body, `value="5"`, "Good method.")
	_, _ = teacher.post("/teach/assignments/"+asg+"/post", url.Values{"_csrf": {tcsrf}})

	signInBrowser(t, b, d, student)
	shoot("learn-section", "/learn/sections/"+d.section, "Algebra I - P1")
	shoot("assignment-student", "/learn/assignments/"+asg, "Density lab")
	if err := chromedp.Do(b.Ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	shoot("assignment-student-phone", "/learn/assignments/"+asg, "Density lab")
	signInBrowser(t, b, d, teacher)
	shoot("grading-phone", "/teach/assignments/"+asg+"/grade/"+stu, "Student Test")
}
