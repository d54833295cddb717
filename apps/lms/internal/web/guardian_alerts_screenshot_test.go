package web

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/jobs"
)

// The guardian's alert settings in Chromium (defaults, then saved with a
// threshold), reachable with the keyboard, and the unsubscribe pages a
// digest links to: the confirmation, the result and a broken link.
func TestGuardianAlertPagesInChromium(t *testing.T) {
	b := startBrowser(t)
	d := newDistrict(t, "alertshots")
	shoot := shooter(t, b, d)
	g, csrf := d.session(db.Guardian)
	signInBrowser(t, b, d, g)
	shoot("guardian-alerts", "/guardian/alerts", "Alerts")

	ctx, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
	defer cancel()
	// Keyboard: from the daily radio, Tab moves through the form to the
	// threshold field.
	if _, err := chromedp.Run(ctx, chromedp.Focus(chromedp.CSS(`input[name=frequency][value=off]`))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
		t.Fatal(err)
	}
	onThreshold, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.activeElement.id === "grade-below"`))
	if err != nil {
		t.Fatal(err)
	}
	if !onThreshold {
		t.Error("Tab from the frequency does not reach the grade threshold")
	}

	res, body := g.post("/guardian/alerts", url.Values{"_csrf": {csrf}, "frequency": {"weekly"}, "grade_below": {"75"}, "missing": {"1"}, "grade_posted": {"1"}})
	mustStatus(t, "save", res, body, 303)
	shoot("guardian-alerts-saved", res.Header.Get("Location"), "Alerts")

	tenant, _ := d.srv.Registry.Get(d.entry.Tenant)
	token := auth.SignLink(d.srv.LinkKey(tenant), auth.LinkClaims{Subject: d.users[db.Guardian].ID, Purpose: jobs.UnsubscribePurpose,
		Expires: time.Now().Add(time.Hour)})
	shoot("unsubscribe-confirm", "/unsubscribe/"+token, "Unsubscribe")
	ctx, cancel = context.WithTimeout(b.Ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Click(chromedp.CSS(`form[action^="/unsubscribe/"] button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.WaitVisible(chromedp.CSS(`p[role=status]`))); err != nil {
		t.Fatal(err)
	}
	if err := b.Screenshot(artifacts(t) + "/unsubscribe-done.png"); err != nil {
		t.Fatal(err)
	}
	shoot("unsubscribe-broken", "/unsubscribe/"+token[:len(token)-4], "This link does not work")
}
