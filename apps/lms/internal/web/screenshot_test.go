package web

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/internal/dev/browser"
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

// Real Chromium renders the sign-in page and every role's home page, on a
// laptop and on a phone, with the CSP enforced: each page shows its heading
// and our one script ran (the policy let it through).
func TestShellRendersInChromium(t *testing.T) {
	b, err := browser.Start(context.Background())
	if errors.Is(err, browser.ErrNoChromium) && os.Getenv("BELLWORK_REQUIRE_BROWSER") == "" {
		t.Skip("chromium not installed; make test installs it and requires this test")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	d := newDistrict(t, "shots")
	base := strings.Replace(d.http.URL, "127.0.0.1", d.host, 1)
	out := artifacts(t)

	shoot := func(name, path, heading string) {
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
	shoot("signin", "/signin", "Sign in")
	homes := []struct {
		role    db.Role
		heading string
	}{{db.DistrictAdmin, "District overview"}, {db.SchoolAdmin, "School overview"}, {db.Teacher, "Good to see you"},
		{db.Student, "Hi,"}, {db.Guardian, "Welcome,"}}
	for _, h := range homes {
		role, heading := h.role, h.heading
		c, _ := d.session(role)
		_, token := cookieOf(t, c, d.host)
		if err := b.SetCookie(d.host, sessionCookie, token); err != nil {
			t.Fatal(err)
		}
		shoot("home-"+string(role), "/", heading)
	}
	if err := chromedp.Do(b.Ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	shoot("home-guardian-phone", "/", "Welcome,") // still signed in as the guardian, the last of the list
	t.Logf("screenshots in %s", out)
}
