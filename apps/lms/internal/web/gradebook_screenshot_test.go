package web

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"bellwork.dev/bellwork/apps/lms/internal/db"
)

// The gradebook and the grading settings in Chromium, with screenshots;
// the grid is reached with the keyboard (Tab from the filters lands on the
// scrollable grid region, so arrow keys scroll it).
func TestGradebookPagesInChromium(t *testing.T) {
	b := startBrowser(t)
	d := newDistrict(t, "gbshots")
	teacher, _ := d.session(db.Teacher)
	d.gradeSection(t, d.actorOf(teacher, db.Teacher))
	shoot := shooter(t, b, d)
	signInBrowser(t, b, d, teacher)
	shoot("gradebook", "/assess/sections/"+d.section, "Gradebook")
	ctx, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Focus(chromedp.CSS(`form.filters button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
		t.Fatal(err)
	}
	onGrid, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.activeElement.classList.contains("gradebook")`))
	if err != nil {
		t.Fatal(err)
	}
	if !onGrid {
		t.Error("Tab from the filters does not reach the grid")
	}
	shoot("gradebook-settings", "/teach/sections/"+d.section+"/grading", "Grading settings")
	shoot("gradebook-empty", "/assess/sections/"+d.emptySection(), "Gradebook")
}
