//go:build e2e

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Journey 6 (issue 14): in the district an engineer applied and an admin
// rostered, the teacher builds a rubric and an assignment that uses it, and
// publishes it; the student uploads a file; the teacher grades with the
// rubric without posting, and neither the student nor the guardian sees the
// grade, in the pages or the API; the teacher posts, and both see it, and
// the Tenant's onboarding checklist shows the first graded assignment. The
// LMS-level TestGradeJourneyStudentAndGuardianInChromium walks the same
// pages against one LMS; this one goes through the platform as make run
// starts it (the operator's LMS fleet, its shared files folder, Postgres).
func TestTeacherGradesWithARubricAndFamiliesSeeItOncePosted(t *testing.T) {
	keepLogsOnFailure(t)
	d := newTenant(t, "grades")
	tb := newTab(t)
	adminImports(t, tb, d)
	const (
		teacher  = "ana.rivera@e2e.example"
		student  = "leo.cruz@e2e.example"
		guardian = "rosa.cruz@e2e.example"
	)
	// The admin gives each of them a password through a reset link, as in
	// TestEachRoleSeesTheirOwnHome.
	for _, email := range []string{teacher, student, guardian} {
		tb.signIn(d, d.AdminEmail, "district admin password")
		signInByReset(t, tb, d, email, "a password for "+email)
	}
	as := func(email string) { tb.signIn(d, email, "a password for "+email) }

	// The teacher builds a rubric in the rubric form.
	as(teacher)
	sections := tb.apiIDs("/api/v1/sections")
	if len(sections) != 1 {
		t.Fatalf("Ana Rivera teaches %d sections, want 1 (Life Science - P2)", len(sections))
	}
	section := sections[0]
	tb.open(d.Base + "/teach/rubrics/new")
	tb.do(chromedp.SetValue(chromedp.CSS("#title"), "Lab report rubric"),
		chromedp.SetValue(chromedp.CSS("#criterion_0"), "Hypothesis"),
		chromedp.SetValue(chromedp.CSS("#levels_0"), "5 Clear and testable\n2 Vague"),
		chromedp.SetValue(chromedp.CSS("#criterion_1"), "Evidence"),
		chromedp.SetValue(chromedp.CSS("#levels_1"), "4 Strong\n1 Thin"))
	tb.shot("01-rubric-form")
	tb.clickAndWait(`form[action="/teach/rubrics"] button[type="submit"]`)
	tb.expect("Rubric saved.", "Lab report rubric")
	rubric := tb.pathID(`/teach/rubrics/([0-9a-f-]{36})`)
	tb.shot("02-rubric-saved")

	// ...and an assignment that uses it, handed in as a file, due in three days.
	tb.open(d.Base + "/teach/sections/" + section + "/assignments/new")
	due := time.Now().Add(72 * time.Hour).In(chicago(t)).Format("2006-01-02T15:04")
	tb.do(chromedp.SetValue(chromedp.CSS("#title"), "Plant growth lab"),
		chromedp.SetValue(chromedp.CSS("#points_possible"), "9"),
		chromedp.SetValue(chromedp.CSS("#rubric_id"), rubric),
		chromedp.SetValue(chromedp.CSS("#due"), due))
	tb.check(`input[name="section_ids"][value="` + section + `"]`)
	tb.check(`input[name="submission_types"][value="file"]`)
	tb.shot("03-assignment-form")
	tb.clickAndWait(`form[action$="/assignments"] button[type="submit"]`)
	tb.expect("Plant growth lab", "Draft", "Lab report rubric")
	asg := tb.pathID(`/teach/assignments/([0-9a-f-]{36})`)
	tb.clickAndWait(`form[action$="/publish"] button`)
	tb.expect("Published")
	tb.shot("04-assignment-published")
	// The section home: its posted work and an announcement.
	tb.open(d.Base + "/teach/sections/" + section)
	tb.do(chromedp.SetValue(chromedp.CSS("#ann-title"), "Lab reports due Friday"),
		chromedp.SetValue(chromedp.CSS("#ann-body"), "Upload your report as a PDF."))
	tb.clickAndWait(`form[action$="/announcements"] button`)
	tb.expect("Announcement posted.", "Plant growth lab", "Lab reports due Friday")
	tb.shot("05-teacher-section-home")

	// The student uploads a PDF.
	as(student)
	tb.open(d.Base + "/learn/sections/" + section)
	tb.expect("Plant growth lab", "Lab reports due Friday", "Upload your report as a PDF.")
	tb.shot("06-student-section-home")
	tb.open(d.Base + "/learn/assignments/" + asg)
	tb.expect("Plant growth lab", "How it will be graded: Lab report rubric")
	file := filepath.Join(t.TempDir(), "growth-lab.pdf")
	if err := os.WriteFile(file, []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tb.do(chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}))
	tb.clickAndWait(`form[action$="/upload"] button`)
	tb.expect("growth-lab.pdf", "Attempt 1")
	tb.shot("07-student-uploaded")

	// The teacher grades with the rubric and saves without posting. Leo Cruz
	// is first in the list (by family name); Mai Nguyen is next.
	as(teacher)
	tb.open(d.Base + "/teach/assignments/" + asg + "/grade")
	tb.expect("Leo Cruz", "growth-lab.pdf", "Lab report rubric")
	leo := tb.pathID(`/grade/([0-9a-f-]{36})`)
	tb.do(chromedp.Click(chromedp.CSS(`input[name="rubric_0"][value="0"]`)),
		chromedp.Click(chromedp.CSS(`input[name="rubric_1"][value="1"]`)),
		chromedp.SetValue(chromedp.CSS("#comment"), "Clear hypothesis; measure more plants."))
	tb.shot("08-grading-rubric-chosen")
	tb.clickAndWait(`form[data-grade-form] button[name="stay"]`)
	tb.expect("Grade saved")
	if score := tb.value("#score"); score != "6" {
		t.Fatalf("the rubric (5 + 1) filled a score of %q, want 6", score)
	}
	tb.shot("09-graded-unposted")
	tb.open(d.Base + "/teach/assignments/" + asg)
	tb.expect("Post 1 grade")
	tb.shot("10-teacher-assignment-unposted")

	// Unposted: neither the student nor the guardian sees it, in pages or API.
	gradeShown := []string{"6 / 9", "Clear hypothesis; measure more plants.", "66.67"}
	hidden := func(who, path, shot string, wants ...string) {
		t.Helper()
		tb.open(d.Base + path)
		tb.expect(wants...)
		txt := tb.text()
		for _, s := range gradeShown {
			if strings.Contains(txt, s) {
				t.Errorf("%s sees %q on %s before the grade is posted", who, s, path)
			}
		}
		tb.shot(shot)
	}
	as(student)
	hidden("the student", "/learn/assignments/"+asg, "11-student-assignment-unposted", "Plant growth lab", "Submitted")
	var mine struct {
		Work struct {
			Grade *struct {
				Score   *float64 `json:"score"`
				Comment string   `json:"comment"`
			} `json:"grade"`
		} `json:"work"`
	}
	tb.fetchJSON("/api/v1/assignments/"+asg+"/my-work", &mine)
	if mine.Work.Grade != nil {
		t.Errorf("the student's API shows the unposted grade: %+v", *mine.Work.Grade)
	}
	if got := tb.coursePercent("/api/v1/sections/" + section + "/grades/" + leo); got != "" {
		t.Errorf("the student's grades API shows a course grade from the unposted grade: %s%%", got)
	}
	as(guardian)
	// Handed in, the lab is no longer "due" on the guardian's home.
	hidden("the guardian", "/", "12-guardian-home-unposted", "Welcome, Rosa", "Leo Cruz", "No posted grades yet")
	hidden("the guardian", "/guardian/children/"+leo+"/assignments/"+asg, "13-guardian-assignment-unposted", "Plant growth lab")
	if got := tb.coursePercent("/api/v1/sections/" + section + "/grades/" + leo); got != "" {
		t.Errorf("the guardian's grades API shows a course grade from the unposted grade: %s%%", got)
	}

	// The teacher posts.
	as(teacher)
	tb.open(d.Base + "/teach/assignments/" + asg)
	tb.clickAndWait(`form[action$="/post"] button`)
	tb.expect("Grades posted")
	tb.shot("14-teacher-posted")

	// Both see it now.
	as(student)
	tb.open(d.Base + "/learn/assignments/" + asg)
	tb.expect("Your grade", "6 / 9", "Clear hypothesis; measure more plants.", "Clear and testable (5 of 5)", "Thin (1 of 4)")
	tb.shot("15-student-assignment-posted")
	tb.fetchJSON("/api/v1/assignments/"+asg+"/my-work", &mine)
	if g := mine.Work.Grade; g == nil || g.Score == nil || *g.Score != 6 || g.Comment != "Clear hypothesis; measure more plants." {
		t.Errorf("the student's API, after posting: %+v", g)
	}
	if got := tb.coursePercent("/api/v1/sections/" + section + "/grades/" + leo); got != "66.67" {
		t.Errorf("the student's grades API, after posting: current %q%%, want 66.67", got)
	}
	tb.open(d.Base + "/learn/sections/" + section)
	tb.expect("Plant growth lab", "6 / 9")
	tb.shot("16-student-section-posted")
	as(guardian)
	tb.open(d.Base + "/")
	tb.expect("Leo Cruz", "Plant growth lab", "66.67%", "Clear hypothesis; measure more plants.")
	tb.shot("17-guardian-home-posted")
	tb.open(d.Base + "/guardian/children/" + leo + "/assignments/" + asg)
	tb.expect("6 / 9", "Clear and testable (5 of 5)", "growth-lab.pdf")
	tb.shot("18-guardian-assignment-posted")
	if got := tb.coursePercent("/api/v1/sections/" + section + "/grades/" + leo); got != "66.67" {
		t.Errorf("the guardian's grades API, after posting: current %q%%, want 66.67", got)
	}

	// The first grade reached the district's onboarding checklist, which
	// the operator reads with the tenant's readonly role.
	waitFor(t, "onboarding step FirstAssignmentGraded done", func() bool {
		return kubectl(t, "", "get", "tenant", d.Name, "-o", `jsonpath={.status.onboarding[?(@.name=="FirstAssignmentGraded")].done}`) == "true"
	})
}

// coursePercent is the current course percentage of a grades API report
// ("" when there is nothing graded the caller may see).
func (tb *tab) coursePercent(path string) string {
	tb.t.Helper()
	var r struct {
		Current struct {
			Percent *string `json:"percent"`
		} `json:"current"`
	}
	tb.fetchJSON(path, &r)
	if r.Current.Percent == nil {
		return ""
	}
	return *r.Current.Percent
}

func chicago(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// signIn signs the browser in as someone else with the sign-in form.
func (tb *tab) signIn(d *district, email, password string) {
	tb.t.Helper()
	tb.clearCookies()
	tb.open(d.Base + "/signin")
	tb.submit(map[string]string{"#email": email, "#password": password}, `button[type="submit"].primary`)
	if strings.Contains(tb.location(), "/signin") {
		tb.t.Fatalf("%s could not sign in: %s", email, tb.text())
	}
}

// pathID is the first group of pattern in the current page's address.
func (tb *tab) pathID(pattern string) string {
	tb.t.Helper()
	loc := tb.location()
	m := regexp.MustCompile(pattern).FindStringSubmatch(strings.SplitN(loc, "?", 2)[0])
	if m == nil {
		tb.t.Fatalf("no %s in %s", pattern, loc)
	}
	return m[1]
}

// check ticks a checkbox, whatever it was.
func (tb *tab) check(selector string) {
	tb.t.Helper()
	tb.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const b = document.querySelector(`+strconv.Quote(selector)+`); b.checked = true; return b.checked })()`))
		return err
	}))
}

// value is a form field's current value.
func (tb *tab) value(selector string) string {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.b.Ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(selector)))
	if err != nil {
		tb.t.Fatalf("read %s: %v", selector, err)
	}
	return v
}
