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
	"bellwork.dev/bellwork/apps/lms/internal/outcomes"
)

// The district admin's outcomes page in Chromium, used with the keyboard
// alone: type an outcome, choose n mastery with the arrow keys, submit
// with Enter, land on the error summary, fix the field, submit again.
// Screenshots of the empty, invalid, edit, list and archived states.
func TestAdminOutcomesPageWithTheKeyboardInChromium(t *testing.T) {
	b := startBrowser(t)
	d := newDistrict(t, "outshots")
	admin, acsrf := d.session(db.DistrictAdmin)
	shoot := shooter(t, b, d)
	signInBrowser(t, b, d, admin)
	shoot("admin-outcomes-empty", "/admin/outcomes", "Outcomes")

	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		c, cancel := context.WithTimeout(b.Ctx, 15*time.Second)
		defer cancel()
		if err := chromedp.Do(c, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	read := func(what string, js string) string {
		t.Helper()
		c, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
		defer cancel()
		v, err := chromedp.Run(c, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	// Title, description, past the scale, mastery "3" becomes "39" (over the
	// best rating), arrow from the checked decaying average to n mastery,
	// then n; Enter submits.
	step("fill the form with the keyboard",
		chromedp.Focus(chromedp.CSS(`#o-title`)),
		chromedp.KeyEvent("Writes arguments"),
		chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent("Supports claims with reasons and evidence."),
		chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Tab),
		chromedp.KeyEvent(kb.End), chromedp.KeyEvent("9"),
		chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.ArrowDown),
		chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.End), chromedp.KeyEvent(kb.Backspace), chromedp.KeyEvent(kb.Backspace),
		chromedp.KeyEvent("2"), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`div.error[role=alert]`)))
	if got := read("focus", `document.activeElement.getAttribute("role") || document.activeElement.id`); got != "alert" {
		t.Errorf("after the refused form the focus is on %q, want the error summary", got)
	}
	if got := read("summary", `document.querySelector("div.error").innerText`); !strings.Contains(got, "Enter the mastery points") {
		t.Errorf("error summary: %q", got)
	}
	if err := b.Screenshot(artifacts(t) + "/admin-outcomes-invalid.png"); err != nil {
		t.Fatal(err)
	}
	step("fix the mastery points and submit again",
		chromedp.Focus(chromedp.CSS(`#o-mastery`)),
		chromedp.KeyEvent(kb.End), chromedp.KeyEvent(kb.Backspace), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	location := read("location", `location.pathname + location.search`)
	if !strings.HasPrefix(location, "/admin/outcomes/") || !strings.Contains(location, "done=outcome-created") {
		t.Errorf("after adding: %s", location)
	}
	var o *outcomes.Outcome
	if err := d.db.InTx(context.Background(), db.SystemActor(), func(s *db.Scope) error {
		var id string
		if err := s.Tx.QueryRow(context.Background(), `SELECT id FROM outcomes WHERE title = 'Writes arguments'`).Scan(&id); err != nil {
			return err
		}
		var err error
		o, err = outcomes.Get(context.Background(), s, id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if o.Method != "n_mastery" || o.CalculationInt == nil || *o.CalculationInt != 2 || o.MasteryPoints != 3 || o.Description == "" {
		t.Errorf("the outcome typed with the keyboard: %+v", o)
	}
	if err := b.Screenshot(artifacts(t) + "/admin-outcome-created.png"); err != nil {
		t.Fatal(err)
	}
	form := url.Values{"_csrf": {acsrf}, "title": {"Writes arguments"}, "description": {o.Description}, "scale": {outcomes.DefaultScale},
		"mastery_points": {"3"}, "method": {"n_mastery"}, "calculation_int": {"3"}, "reason": {"Three pieces of evidence, as the state asks"}}
	if res, body := admin.post("/admin/outcomes/"+o.ID, form); res.StatusCode != 303 {
		t.Fatalf("update: %d\n%s", res.StatusCode, snippet(body))
	}
	if res, body := admin.post("/admin/outcomes", url.Values{"_csrf": {acsrf}, "title": {"Reads closely"}, "scale": {outcomes.DefaultScale},
		"mastery_points": {"3"}, "method": {"latest"}}); res.StatusCode != 303 {
		t.Fatalf("second outcome: %d\n%s", res.StatusCode, snippet(body))
	}
	shoot("admin-outcomes-list", "/admin/outcomes", "Outcomes")
	if res, body := admin.post("/admin/outcomes/"+o.ID+"/archive", url.Values{"_csrf": {acsrf}, "reason": {"Folded into Reads closely"}}); res.StatusCode != 303 {
		t.Fatalf("archive: %d\n%s", res.StatusCode, snippet(body))
	}
	shoot("admin-outcome-archived", "/admin/outcomes/"+o.ID, "Writes arguments")

	// The teacher's view of a course outcome, with its history.
	teacher, tcsrf := d.session(db.Teacher)
	g := d.gradeSection(t, d.actorOf(teacher, db.Teacher))
	if res, body := teacher.post("/teach/sections/"+d.section+"/outcomes", url.Values{"_csrf": {tcsrf}, "title": {"Solves equations"},
		"scale": {outcomes.DefaultScale}, "mastery_points": {"3"}, "method": {"highest"}}); res.StatusCode != 303 {
		t.Fatalf("course outcome: %d\n%s", res.StatusCode, snippet(body))
	}
	own := d.outcomeID(t, "Solves equations")
	if res, body := teacher.api("PUT", "/api/v1/assignments/"+g.hw1+"/outcomes/"+own, tcsrf, map[string]string{"reason": "Practice"}); res.StatusCode != 200 {
		t.Fatalf("attach: %d\n%s", res.StatusCode, snippet(body))
	}
	signInBrowser(t, b, d, teacher)
	shoot("teacher-outcome-history", "/teach/outcomes/"+own, "Edit outcome")
}
