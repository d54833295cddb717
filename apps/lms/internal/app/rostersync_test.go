package app

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/lmstest"
	"bellwork.dev/bellwork/apps/lms/internal/roster"
	"bellwork.dev/bellwork/apps/lms/internal/rostersync/rostertest"
	"bellwork.dev/bellwork/pkg/directory"
)

// With the sync on and due, the tenant's own queue runs it on schedule (the
// periodic check, here every second), with no one pressing anything, and
// the run is applied within the admin's threshold.
func TestRosterSyncRunsOnSchedule(t *testing.T) {
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

	life, cancel := context.WithCancel(context.Background())
	a, err := New(life, Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), PoolIdle: time.Minute, PoolMaxConns: 4, RosterSyncCheck: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); a.Close() })
	a.Registry.Replace([]*directory.Entry{{Version: 1, Tenant: "synced", DisplayName: "Synced", Hosts: []string{"synced.localhost"},
		TimeZone: "UTC", Database: lmstest.TenantDB(t), Schools: []directory.School{{Code: "LHS", Name: "Lakeview High", TimeZone: "UTC"},
			{Code: "LMS", Name: "Lakeview Middle", TimeZone: "UTC"}},
		Rostering: &directory.Rostering{BaseURL: srv.URL, Version: "1.2", TokenURL: srv.TokenURL(), ClientID: srv.ClientID, ClientSecret: srv.ClientSecret}}})
	tenant, _ := a.Registry.Get("synced")
	ctx, stop := context.WithTimeout(life, time.Minute)
	defer stop()
	if !a.Registry.EnsureConverged(ctx, tenant) {
		t.Fatal("tenant did not converge")
	}
	d, err := a.Registry.DB(ctx, tenant)
	if err != nil {
		t.Fatal(err)
	}
	one := func(sql string) string {
		var v string
		if err := d.InTx(ctx, db.SystemActor(), func(s *db.Scope) error { return s.Tx.QueryRow(ctx, sql).Scan(&v) }); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return v
	}
	admin := one(`INSERT INTO users (email, display_name) VALUES ('admin@synced.example', 'Admin') RETURNING id`)
	one(`INSERT INTO memberships (user_id, role) VALUES ('` + admin + `', 'district_admin') RETURNING id::text`)
	one(`INSERT INTO roster_syncs (enabled, every_minutes, auto_apply_max, next_run_at, updated_by)
		VALUES (true, 60, 1000, now() - interval '1 minute', '` + admin + `') RETURNING id::text`)

	deadline := time.Now().Add(45 * time.Second)
	for one(`SELECT coalesce((SELECT status FROM imports WHERE sync_id IS NOT NULL LIMIT 1), '')`) != "applied" {
		if time.Now().After(deadline) {
			t.Fatalf("no applied sync run; sync state %q", one(`SELECT last_status || ': ' || last_error FROM roster_syncs`))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := one(`SELECT count(*)::text FROM users WHERE sourced_id IS NOT NULL`); got != "6" {
		t.Errorf("%s synced users, want 6", got)
	}
	if got := one(`SELECT (next_run_at > now() + interval '50 minutes')::text FROM roster_syncs`); got != "true" {
		t.Errorf("the next run is not an hour on")
	}
}
