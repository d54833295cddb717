package web

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/roster"
	"bellwork.dev/bellwork/apps/lms/internal/rostersync/rostertest"
	"bellwork.dev/bellwork/pkg/directory"
)

// A district admin turns on the sync from a OneRoster 1.2 provider the
// directory names, runs it now; the run goes through the job queue, is
// applied (the threshold allows it) and listed. School admins do not see
// the sync, and the client secret is never on the page.
func TestRosterSyncFromTheImportsPage(t *testing.T) {
	dir := filepath.Join("..", "roster", "testdata", "oneroster12")
	entries, _ := os.ReadDir(dir)
	files := map[string][]byte{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = data
	}
	b, problems := roster.ParseOneRosterBundle(files)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	srv := rostertest.New(b)
	defer srv.Close()
	d := newDistrict(t, "rsync", func(e *directory.Entry) {
		e.Schools = append(e.Schools, directory.School{Code: "LHS", Name: "Lakeview High", TimeZone: "America/Chicago"},
			directory.School{Code: "LMS", Name: "Lakeview Middle", TimeZone: "America/Chicago"})
		e.Rostering = &directory.Rostering{BaseURL: srv.URL, Version: "1.2", TokenURL: srv.TokenURL(), ClientID: srv.ClientID, ClientSecret: srv.ClientSecret}
	})

	c, _ := d.session(db.DistrictAdmin)
	_, page := c.get("/admin/imports")
	if !strings.Contains(page, "Sync from your student information system") || !strings.Contains(page, srv.URL) || strings.Contains(page, srv.ClientSecret) {
		t.Fatalf("imports page: %s", snippet(page))
	}
	tok := csrfInput.FindStringSubmatch(page)[1]
	if res, _ := c.post("/admin/imports/sync/run", map[string][]string{"_csrf": {tok}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("sync now before saving settings: %d, want 422", res.StatusCode)
	}
	res, _ := c.post("/admin/imports/sync", map[string][]string{"_csrf": {tok}, "enabled": {"on"}, "every_hours": {"24"}, "auto_apply_max": {"1000"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save settings: %d", res.StatusCode)
	}
	if res, _ := c.post("/admin/imports/sync/run", map[string][]string{"_csrf": {tok}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sync now: %d", res.StatusCode)
	}
	status := func() string {
		var s string
		_ = d.db.InTx(context.Background(), db.SystemActor(), func(sc *db.Scope) error {
			return sc.Tx.QueryRow(context.Background(), `SELECT coalesce((SELECT status FROM imports WHERE sync_id IS NOT NULL ORDER BY created_at DESC LIMIT 1), '')`).Scan(&s)
		})
		return s
	}
	waitUntil(t, "sync run applied", func() bool { return status() == "applied" || status() == "failed" })
	if s := status(); s != "applied" {
		t.Fatalf("sync run is %s", s)
	}
	if _, body := c.get("/admin/users?q=kim"); !strings.Contains(body, "Alex Kim") {
		t.Error("the synced student is not listed")
	}
	if _, page := c.get("/admin/imports"); !strings.Contains(page, "Sync runs") || !strings.Contains(page, "Applied") {
		t.Errorf("the run is not in the history: %s", snippet(page))
	}

	sa, _ := d.session(db.SchoolAdmin)
	if _, page := sa.get("/admin/imports"); strings.Contains(page, "Sync from your student information system") {
		t.Error("a school admin sees the district's sync")
	}
}
