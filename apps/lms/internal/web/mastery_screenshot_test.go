package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/outcomes"
)

// The student's class page and the guardian's home in Chromium, with
// outcome mastery: the empty state first, then two outcomes measured by
// posted homework and an unposted test, whose result neither sees.
// Screenshots: e2e/artifacts/lms-shell/mastery-*.png.
func TestOutcomeMasteryPagesInChromium(t *testing.T) {
	b := startBrowser(t)
	d := newDistrict(t, "masteryshots")
	teacher, _ := d.session(db.Teacher)
	student, _ := d.session(db.Student)
	guardian, _ := d.session(db.Guardian)
	actor := d.actorOf(teacher, db.Teacher)
	g := d.gradeSection(t, actor)
	shoot := shooter(t, b, d)
	main := func(what string) string {
		t.Helper()
		c, cancel := context.WithTimeout(b.Ctx, 15*time.Second)
		defer cancel()
		text, err := chromedp.Run(c, chromedp.Text(chromedp.CSS("main")))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return text
	}
	class := "/learn/sections/" + d.section

	signInBrowser(t, b, d, student)
	shoot("mastery-student-empty", class, "Algebra")
	mustContain(t, "student, no outcomes", main("student, no outcomes"), "This class does not measure outcomes")

	ctx := context.Background()
	err := d.db.InTx(ctx, actor, func(s *db.Scope) error {
		eq, err := outcomes.Create(ctx, s, d.section, outcomes.Input{Title: "Solves linear equations", Scale: outcomes.DefaultScale,
			MasteryPoints: "3", Method: "decaying_average", CalculationInt: "65"})
		if err != nil {
			return err
		}
		gr, err := outcomes.Create(ctx, s, d.section, outcomes.Input{Title: "Interprets graphs", Scale: outcomes.DefaultScale,
			MasteryPoints: "3", Method: "n_mastery", CalculationInt: "2"})
		if err != nil {
			return err
		}
		for _, a := range []string{g.hw1, g.hw2} {
			if err := outcomes.SetAssignmentOutcomes(ctx, s, a, []string{eq.ID, gr.ID}, "test"); err != nil {
				return err
			}
		}
		return outcomes.SetAssignmentOutcomes(ctx, s, g.test, []string{eq.ID}, "test")
	})
	if err != nil {
		t.Fatal(err)
	}

	for _, v := range []struct {
		who, name, path, heading string
		c                        *client
	}{{"student", "mastery-student", class, "Algebra", student}, {"guardian", "mastery-guardian", "/", "Welcome", guardian}} {
		signInBrowser(t, b, d, v.c)
		shoot(v.name, v.path, v.heading)
		text := main(v.who)
		mustContain(t, v.who, text, "Outcome mastery", "Solves linear equations", "Decaying average (latest 65%)",
			"Interprets graphs", "n mastery (n = 2)", "2 results")
		if strings.Contains(text, "3 results") {
			t.Errorf("%s sees the unposted test's result", v.who)
		}
	}

	// The teacher's side: the assignment form's "Never drop".
	signInBrowser(t, b, d, teacher)
	shoot("assignment-form-never-drop", "/teach/assignments/"+g.hw2+"/edit", "Edit")
	mustContain(t, "assignment form", main("assignment form"), "Never drop")
}
