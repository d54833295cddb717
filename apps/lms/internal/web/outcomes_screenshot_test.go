package web

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/grading"
	"bellwork.dev/bellwork/apps/lms/internal/outcomes"
)

// The standards pages, the final-grade page and never drop in Chromium,
// with screenshots. The override form is filled and saved with the
// keyboard alone.
func TestOutcomeAndOverridePagesInChromium(t *testing.T) {
	b := startBrowser(t)
	d := newDistrict(t, "sbgshots")
	teacher, _ := d.session(db.Teacher)
	actor := d.actorOf(teacher, db.Teacher)
	g := d.gradeSection(t, actor)
	ctx := context.Background()
	err := d.db.InTx(ctx, actor, func(s *db.Scope) error {
		eq, err := outcomes.Create(ctx, s, d.section, outcomes.Input{Title: "Solves linear equations", Description: "Solves one-variable linear equations, including with the variable on both sides.",
			Scale: outcomes.DefaultScale, MasteryPoints: "3", Method: "decaying_average", CalculationInt: "65"})
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
	shoot := shooter(t, b, d)
	signInBrowser(t, b, d, teacher)
	shoot("outcomes-manage", "/teach/sections/"+d.section+"/outcomes", "Outcomes")
	shoot("outcomes-gradebook", "/assess/sections/"+d.section+"/outcomes", "Outcomes")

	me := d.users[db.Student].ID
	shoot("final-grade", "/assess/sections/"+d.section+"/students/"+me, "course grade")
	bctx, cancel := context.WithTimeout(b.Ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Run(bctx, chromedp.Focus(chromedp.CSS(`#ov-percent`))); err != nil {
		t.Fatal(err)
	}
	// Percentage, Tab past the letter to the reason, Enter submits.
	for _, keys := range []string{"91.5", kb.Tab, kb.Tab, "Moderated portfolio", kb.Enter} {
		if _, err := chromedp.Run(bctx, chromedp.KeyEvent(keys)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := chromedp.Run(bctx, chromedp.WaitVisible(`.flash`)); err != nil {
		t.Fatal(err)
	}
	var sec *grading.Section
	if err := d.db.InTx(ctx, actor, func(s *db.Scope) (err error) {
		sec, err = grading.ForSection(ctx, s, d.section, time.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if o := sec.Student(me).Result.Override; o == nil || o.Percent.String() != "91.50" {
		t.Errorf("the override typed with the keyboard: %+v", o)
	}
	shoot("final-grade-overridden", "/assess/sections/"+d.section+"/students/"+me, "course grade")
	shoot("gradebook-override", "/assess/sections/"+d.section, "Gradebook")
	shoot("grading-settings-never-drop", "/teach/sections/"+d.section+"/grading", "Grading settings")
	shoot("assignment-form-outcomes", "/teach/assignments/"+g.hw1+"/edit", "Edit")
	shoot("rubric-form-outcomes", "/teach/rubrics/new", "New rubric")
}
