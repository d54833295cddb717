package web

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"bellwork.dev/bellwork/apps/lms/internal/db"
)

// Issue 14's journey in Chromium, through the pages' own forms: a teacher
// creates an assignment with a rubric and publishes it, the student uploads
// a file, the teacher grades with the rubric (not posted: invisible to the
// student and the guardian), posts, and then both see the grade. Every page
// is saved as a screenshot (e2e/artifacts/lms-shell/journey-*.png).
func TestGradeJourneyStudentAndGuardianInChromium(t *testing.T) {
	b := startBrowser(t)
	d := newDistrict(t, "journey")
	shoot := shooter(t, b, d)
	teacher, tcsrf := d.session(db.Teacher)
	student, _ := d.session(db.Student)
	guardian, _ := d.session(db.Guardian)
	stu := d.users[db.Student].ID
	base := strings.Replace(d.http.URL, "127.0.0.1", d.host, 1)

	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		c, cancel := context.WithTimeout(b.Ctx, 15*time.Second)
		defer cancel()
		if err := chromedp.Do(c, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	read := func(what string, a chromedp.Action[string]) string {
		t.Helper()
		c, cancel := context.WithTimeout(b.Ctx, 15*time.Second)
		defer cancel()
		v, err := chromedp.Run(c, a)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	// submit runs actions that submit a form and waits for the next page
	// (not the one the actions started on, which may show a flash too) to
	// load and show its flash.
	submit := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if read(what+": mark the page", chromedp.Evaluate[string](`(window.__bwOld = "old")`)) != "old" {
			t.Fatalf("%s: could not mark the page", what)
		}
		do(what, actions...)
		deadline := time.Now().Add(15 * time.Second)
		for {
			c, cancel := context.WithTimeout(b.Ctx, 2*time.Second)
			loaded, err := chromedp.Run(c, chromedp.Evaluate[bool](`window.__bwOld === undefined && document.readyState !== "loading"`))
			cancel()
			if err == nil && loaded {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the next page did not load (%v)", what, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
		do(what+": flash", chromedp.WaitVisible(chromedp.CSS(".flash")))
	}
	snap := func(name string) {
		t.Helper()
		if err := b.Screenshot(filepath.Join(artifacts(t), "journey-"+name+".png")); err != nil {
			t.Fatal(err)
		}
	}
	page := func() string { return read("page", chromedp.OuterHTML(chromedp.CSS("main"))) }

	// The rubric comes from the rubric form over HTTP; the assignment from
	// the browser's form.
	res, body := teacher.post("/teach/rubrics", url.Values{"_csrf": {tcsrf}, "title": {"Essay rubric"},
		"criterion_0": {"Thesis"}, "levels_0": {"5 Clear\n2 Vague"}, "criterion_1": {"Evidence"}, "levels_1": {"4 Strong\n1 Thin"}})
	mustStatus(t, "rubric", res, body, 303)
	rubric := locationID(t, res)
	signInBrowser(t, b, d, teacher)
	shoot("journey-rubric", "/teach/rubrics/"+rubric, "Essay rubric")
	shoot("journey-assignment-new", "/teach/sections/"+d.section+"/assignments/new", "New assignment")
	due := time.Now().Add(72 * time.Hour).In(mustZone(t, "America/Chicago")).Format("2006-01-02T15:04")
	do("fill in the assignment",
		chromedp.SetValue(chromedp.CSS("#title"), "Persuasive essay"),
		chromedp.SetValue(chromedp.CSS("#points_possible"), "9"),
		chromedp.SetValue(chromedp.CSS("#rubric_id"), rubric),
		chromedp.SetValue(chromedp.CSS("#due"), due),
	)
	for _, box := range []string{`input[name="section_ids"][value="` + d.section + `"]`, `input[name="submission_types"][value="file"]`} {
		c, cancel := context.WithTimeout(b.Ctx, 15*time.Second)
		if _, err := chromedp.Run(c, chromedp.Evaluate[bool](`(() => { document.querySelector('`+box+`').checked = true; return true })()`)); err != nil {
			t.Fatalf("tick %s: %v", box, err)
		}
		cancel()
	}
	submit("save the assignment", chromedp.Click(chromedp.CSS(`form[action$="/assignments"] button[type="submit"]`)))
	loc := read("location", chromedp.Location())
	m := idInLocation.FindStringSubmatch(strings.SplitN(loc, "?", 2)[0])
	if m == nil || !strings.Contains(loc, "/teach/assignments/") {
		t.Fatalf("after saving the assignment: %s", loc)
	}
	asg := m[1]
	snap("assignment-created")
	submit("publish", chromedp.Click(chromedp.CSS(`form[action$="/publish"] button`)))
	mustContain(t, "published assignment", page(), "Essay rubric", "Persuasive essay")

	// The student uploads a file.
	file := filepath.Join(t.TempDir(), "essay.pdf")
	if err := os.WriteFile(file, []byte(pdf), 0o600); err != nil {
		t.Fatal(err)
	}
	signInBrowser(t, b, d, student)
	shoot("journey-student-before", "/learn/assignments/"+asg, "Persuasive essay")
	submit("upload", chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}),
		chromedp.Click(chromedp.CSS(`form[action$="/upload"] button`)))
	mustContain(t, "student after upload", page(), "essay.pdf", "Attempt 1")
	snap("student-uploaded")

	// The teacher grades with the rubric and saves without posting.
	signInBrowser(t, b, d, teacher)
	shoot("journey-grading", "/teach/assignments/"+asg+"/grade/"+stu, "Student Test")
	submit("grade with the rubric",
		chromedp.Click(chromedp.CSS(`input[name="rubric_0"][value="0"]`)),
		chromedp.Click(chromedp.CSS(`input[name="rubric_1"][value="1"]`)),
		chromedp.SetValue(chromedp.CSS("#comment"), "Strong thesis, thin evidence."),
		chromedp.Click(chromedp.CSS(`form[data-grade-form] button.primary`)))
	if v := read("score", chromedp.Value(chromedp.CSS("#score"))); v != "6" {
		t.Errorf("the rubric gave a score of %q, want 6", v)
	}
	snap("graded-unposted")

	hidden := func(who string) {
		t.Helper()
		p := page()
		for _, s := range []string{"Strong thesis, thin evidence.", "6 / 9"} {
			if strings.Contains(p, s) {
				t.Errorf("%s sees %q before the grade is posted", who, s)
			}
		}
	}
	signInBrowser(t, b, d, student)
	shoot("journey-student-unposted", "/learn/assignments/"+asg, "Persuasive essay")
	hidden("the student")
	signInBrowser(t, b, d, guardian)
	shoot("journey-guardian-home-unposted", "/", "Welcome")
	hidden("the guardian (home)")
	shoot("journey-guardian-assignment-unposted", "/guardian/children/"+stu+"/assignments/"+asg, "Persuasive essay")
	hidden("the guardian (assignment)")

	// The teacher posts; both see the grade.
	signInBrowser(t, b, d, teacher)
	if err := b.Visit(base + "/teach/assignments/" + asg); err != nil {
		t.Fatal(err)
	}
	submit("post grades", chromedp.Click(chromedp.CSS(`form[action$="/post"] button`)))
	snap("posted")
	signInBrowser(t, b, d, student)
	shoot("journey-student-posted", "/learn/assignments/"+asg, "Persuasive essay")
	mustContain(t, "student after posting", page(), "Your grade", "6 / 9", "Strong thesis, thin evidence.", "Clear (5 of 5)", "Thin (1 of 4)")
	signInBrowser(t, b, d, guardian)
	shoot("journey-guardian-home-posted", "/", "Welcome")
	mustContain(t, "guardian home after posting", page(), "6 / 9", "66.67%", "Strong thesis, thin evidence.")
	shoot("journey-guardian-assignment-posted", "/guardian/children/"+stu+"/assignments/"+asg, "Persuasive essay")
	mustContain(t, "guardian assignment after posting", page(), "6 / 9", "Clear (5 of 5)", "essay.pdf")
}
