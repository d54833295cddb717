package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"bellwork.dev/bellwork/apps/lms/internal/coursework"
	"bellwork.dev/bellwork/apps/lms/internal/db"
)

// In Chromium: the confirm pages of deleting graded work and a group with
// assignments, the latter used with the keyboard alone (choose the group,
// press the button), and a student's view of work that has not opened.
func TestDeleteConfirmAndLockedWorkInChromium(t *testing.T) {
	b := startBrowser(t)
	d := newDistrict(t, "delshots")
	shoot := shooter(t, b, d)
	teacher, tcsrf := d.session(db.Teacher)
	student, scsrf := d.session(db.Student)
	mkGroup := func(name string) string {
		res, body := teacher.api("POST", "/api/v1/sections/"+d.section+"/groups", tcsrf, coursework.GroupInput{Name: name})
		mustStatus(t, name, res, body, http.StatusCreated)
		return decodeJSON[coursework.Group](t, name, body).ID
	}
	labs, quizzes := mkGroup("Labs"), mkGroup("Quizzes")
	mk := func(in coursework.AssignmentInput) string {
		in.GradingType, in.PointsPossible, in.SectionIDs, in.SubmissionTypes = "points", "10", []string{d.section}, []string{"text"}
		res, body := teacher.api("POST", "/api/v1/sections/"+d.section+"/assignments", tcsrf, in)
		mustStatus(t, in.Title, res, body, http.StatusCreated)
		id := decodeJSON[coursework.Assignment](t, in.Title, body).ID
		res, body = teacher.api("POST", "/api/v1/assignments/"+id+"/publish", tcsrf, map[string]bool{"published": true})
		mustStatus(t, "publish", res, body, 200)
		return id
	}
	graded := mk(coursework.AssignmentInput{Title: "Density lab", GroupID: labs, Due: chicago(t, 24*time.Hour)})
	locked := mk(coursework.AssignmentInput{Title: "Titration lab", GroupID: labs, Instructions: "<p>Secret procedure</p>",
		Due: chicago(t, 96*time.Hour), Unlock: chicago(t, 72*time.Hour)})
	res, body := student.api("POST", "/api/v1/assignments/"+graded+"/submissions", scsrf, coursework.SubmissionInput{Kind: "text", Body: "2.7 g/cm³"})
	mustStatus(t, "submit", res, body, http.StatusCreated)
	res, body = teacher.api("PUT", "/api/v1/assignments/"+graded+"/grades/"+d.users[db.Student].ID, tcsrf, coursework.GradeInput{Score: "9"})
	mustStatus(t, "grade", res, body, 200)

	signInBrowser(t, b, d, teacher)
	shoot("assignment-delete-confirm", "/teach/assignments/"+graded+"/delete", "Delete “Density lab”?")
	shoot("group-delete-confirm", "/teach/groups/"+labs+"/delete", "Delete the group “Labs”?")
	c, cancel := context.WithTimeout(b.Ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(c,
		chromedp.Focus(chromedp.CSS(`#move-to`)),
		chromedp.SetValue(chromedp.CSS(`#move-to`), quizzes),
		chromedp.Focus(chromedp.CSS(`button.danger`)),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`.flash`))); err != nil {
		t.Fatalf("deleting the group with the keyboard: %v", err)
	}
	loc, err := chromedp.Run(c, chromedp.Location())
	if err != nil || !strings.HasSuffix(loc, "/teach/sections/"+d.section+"?done=group-deleted") {
		t.Errorf("after deleting the group: %q (%v)", loc, err)
	}
	shoot("section-after-group-delete", "/teach/sections/"+d.section+"?done=group-deleted", "Algebra I - P1")

	signInBrowser(t, b, d, student)
	shoot("assignment-student-locked", "/learn/assignments/"+locked, "Titration lab")
	text, err := chromedp.Run(c, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "Available from") || strings.Contains(text, "Secret procedure") {
		t.Errorf("the locked view reads: %q", text)
	}
}
