package web

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
	"bellwork.dev/bellwork/internal/dev/browser"
	"bellwork.dev/bellwork/pkg/directory"
	"bellwork.dev/bellwork/pkg/flags"
)

// artifacts is where screenshots go: e2e/artifacts/lms-shell in the repository.
func artifacts(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../../../../e2e/artifacts/lms-shell")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// startBrowser starts headless Chromium, or skips when it is missing and
// the run does not require it.
func startBrowser(t *testing.T) *browser.Browser {
	t.Helper()
	b, err := browser.Start(context.Background())
	if errors.Is(err, browser.ErrNoChromium) && os.Getenv("BELLWORK_REQUIRE_BROWSER") == "" {
		t.Skip("chromium not installed; make test installs it and requires this test")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

// shooter opens pages of the district in Chromium, checks each shows its
// heading and that our one script ran (the CSP let it through), and saves
// a screenshot named after the page.
func shooter(t *testing.T, b *browser.Browser, d *district) func(name, path, heading string) {
	base := strings.Replace(d.http.URL, "127.0.0.1", d.host, 1)
	out := artifacts(t)
	t.Cleanup(func() { t.Logf("screenshots in %s", out) })
	return func(name, path, heading string) {
		t.Helper()
		if err := b.Visit(base + path); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ctx, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
		defer cancel()
		h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		scriptRan, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.dataset.js === "on"`))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !strings.Contains(h1, heading) {
			t.Errorf("%s: heading %q, want %q", name, h1, heading)
		}
		if !scriptRan {
			t.Errorf("%s: app.js did not run", name)
		}
		if err := b.Screenshot(filepath.Join(out, name+".png")); err != nil {
			t.Fatal(err)
		}
	}
}

// signInBrowser gives the browser the session of client c.
func signInBrowser(t *testing.T, b *browser.Browser, d *district, c *client) {
	t.Helper()
	_, token := cookieOf(t, c, d.host)
	if err := b.SetCookie(d.host, kit.SessionCookie, token); err != nil {
		t.Fatal(err)
	}
}

// Real Chromium renders the sign-in page and every role's home page, on a
// laptop and on a phone, with the CSP enforced.
func TestShellRendersInChromium(t *testing.T) {
	b := startBrowser(t)
	d := newDistrict(t, "shots")
	shoot := shooter(t, b, d)
	shoot("signin", "/signin", "Sign in")
	homes := []struct {
		role    db.Role
		heading string
	}{{db.DistrictAdmin, "District overview"}, {db.SchoolAdmin, "School overview"}, {db.Teacher, "Good to see you"},
		{db.Student, "Hi,"}, {db.Guardian, "Welcome,"}}
	for _, h := range homes {
		c, _ := d.session(h.role)
		signInBrowser(t, b, d, c)
		shoot("home-"+string(h.role), "/", h.heading)
	}
	if err := chromedp.Do(b.Ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	shoot("home-guardian-phone", "/", "Welcome,") // still signed in as the guardian, the last of the list
}

// The pages that say what Bellwork does today rather than what it will do
// (the student home, Assess and the gradebook), full and empty, in Chromium.
func TestTodayPagesInChromium(t *testing.T) {
	b := startBrowser(t)
	d := newDistrict(t, "today")
	shoot := shooter(t, b, d)
	c, _ := d.session(db.Student)
	signInBrowser(t, b, d, c)
	shoot("home-student-classes", "/", "Hi,")
	signInBrowser(t, b, d, d.newcomer(db.Student))
	shoot("home-student-empty", "/", "Hi,")
	c, _ = d.session(db.Teacher)
	signInBrowser(t, b, d, c)
	shoot("assess", "/assess", "Assess")
	shoot("gradebook", "/assess/sections/"+d.section, "Gradebook")
	shoot("gradebook-empty", "/assess/sections/"+d.emptySection(), "Gradebook")
}

// The flags pages in Chromium: the district admin's list, empty and with
// a flag on at one school, and the section page with the roster download
// the flag turns on.
func TestFlagPagesInChromium(t *testing.T) {
	b := startBrowser(t)
	d := newDistrict(t, "flagshots", withSchoolB)
	shoot := shooter(t, b, d)
	admin, _ := d.session(db.DistrictAdmin)
	signInBrowser(t, b, d, admin)
	shoot("admin-flags-empty", "/admin/flags", "Feature flags")
	d.publish(func(e *directory.Entry) {
		e.Features["roster-export"] = rosterExport("flagshots/A")
		e.Features["banner"] = flags.Flag{Variants: map[string]json.RawMessage{"plain": json.RawMessage(`"plain"`), "bold": json.RawMessage(`"bold"`)},
			DefaultVariant: "plain", Rules: []flags.Rule{{Roles: []string{"teacher"}, Rollout: &flags.Rollout{
				Variants: []flags.Weighted{{Variant: "bold", Weight: 10}, {Variant: "plain", Weight: 90}}}}}}
	})
	shoot("admin-flags", "/admin/flags", "Feature flags")
	c, _ := d.session(db.Teacher)
	signInBrowser(t, b, d, c)
	shoot("section-roster-export", "/teach/sections/"+d.section, "Algebra I")
}

// The district admin's health page in Chromium: empty, then with a day
// of history (sampled for real, at pinned minutes) in which the job
// queue turned red for its last third.
func TestAdminHealthInChromium(t *testing.T) {
	b := startBrowser(t)
	d := newDistrict(t, "health")
	shoot := shooter(t, b, d)
	c, _ := d.session(db.DistrictAdmin)
	signInBrowser(t, b, d, c)
	shoot("admin-health-empty", "/admin/health", "Health")

	mon := d.srv.Health
	end := time.Now()
	at := end.Add(-24 * time.Hour)
	mon.Now = func() time.Time { return at }
	for i := 0; !at.After(end); i++ {
		if i == 960 {
			d.stuckJob(20 * time.Minute)
		}
		if i < 300 || i > 420 { // two hours with no sample: the server was down
			mon.Sample(context.Background())
		}
		at = at.Add(time.Minute)
	}
	mon.Now = time.Now
	if n := len(mon.History("health")); n < 1200 || n > 1441 {
		t.Fatalf("history holds %d points, want a day's worth less the gap", n)
	}
	shoot("admin-health", "/admin/health", "Health")
	ctx, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
	defer cancel()
	charts, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg[role=img] polyline").length`))
	if err != nil {
		t.Fatal(err)
	}
	if charts < 8 { // four charts, each broken in two by the gap
		t.Errorf("%d polylines drawn, want at least 8", charts)
	}
	// Keyboard: tabbing reaches the first "what to do" disclosure.
	focused, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const s = document.querySelector("details summary"); s.focus(); return document.activeElement === s; })()`))
	if err != nil || !focused {
		t.Errorf("the advice disclosure cannot take focus: %v", err)
	}
}
