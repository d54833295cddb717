package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/lmstest"
	"bellwork.dev/bellwork/apps/lms/internal/storage"
	"bellwork.dev/bellwork/pkg/directory"
)

// Each tenant's queue drops expired import files on schedule (here every
// second), with no upload or request needed: an import checked 8 days ago
// and never applied is discarded and its object deleted from the file
// store; a fresh one keeps its files.
func TestImportFilesExpireOnSchedule(t *testing.T) {
	store := storage.Folder(t.TempDir())
	life, cancel := context.WithCancel(context.Background())
	a, err := New(life, Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), PoolIdle: time.Minute, PoolMaxConns: 4,
		RosterSyncCheck: time.Hour, ImportExpiryEvery: time.Second, Files: store})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); a.Close() })
	a.Registry.Replace([]*directory.Entry{{Version: 1, Tenant: "expiring", DisplayName: "Expiring", Hosts: []string{"expiring.localhost"},
		TimeZone: "UTC", Database: lmstest.TenantDB(t), Schools: []directory.School{{Code: "LHS", Name: "Lakeview High", TimeZone: "UTC"}}}})
	tenant, _ := a.Registry.Get("expiring")
	ctx, stop := context.WithTimeout(life, time.Minute)
	defer stop()
	if !a.Registry.EnsureConverged(ctx, tenant) {
		t.Fatal("tenant did not converge")
	}
	d, err := a.Registry.DB(ctx, tenant)
	if err != nil {
		t.Fatal(err)
	}
	one := func(sql string, args ...any) string {
		var v string
		if err := d.InTx(ctx, db.SystemActor(), func(s *db.Scope) error { return s.Tx.QueryRow(ctx, sql, args...).Scan(&v) }); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return v
	}
	admin := one(`INSERT INTO users (email, display_name) VALUES ('admin@expiring.example', 'Admin') RETURNING id`)
	one(`INSERT INTO memberships (user_id, role) VALUES ($1, 'district_admin') RETURNING id::text`, admin)
	stored := func(age string) (id, key string) {
		id = one(`INSERT INTO imports (kind, status, created_by, created_at) VALUES ('oneroster', 'previewed', $1, now() - $2::interval) RETURNING id::text`, admin, age)
		key = "expiring/imports/" + id + "/users.csv"
		if _, err := store.Put(ctx, key, strings.NewReader("sourcedId\n1\n")); err != nil {
			t.Fatal(err)
		}
		one(`INSERT INTO import_files (import_id, name, data, object_key, size) VALUES ($1, 'users.csv', '', $2, 12) RETURNING name`, id, key)
		return id, key
	}
	oldID, oldKey := stored("8 days")
	newID, newKey := stored("1 day")

	deadline := time.Now().Add(45 * time.Second)
	for one(`SELECT status FROM imports WHERE id = $1`, oldID) != "discarded" || one(`SELECT coalesce(object_key, '') FROM import_files WHERE import_id = $1`, oldID) != "" {
		if time.Now().After(deadline) {
			t.Fatalf("the old import was not expired: %s", one(`SELECT status FROM imports WHERE id = $1`, oldID))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := store.Get(ctx, oldKey); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("the expired import's object is still in the store (%v)", err)
	}
	if got := one(`SELECT status FROM imports WHERE id = $1`, newID); got != "previewed" {
		t.Errorf("the fresh import is %s", got)
	}
	rc, err := store.Get(ctx, newKey)
	if err != nil {
		t.Fatalf("the fresh import lost its object: %v", err)
	}
	rc.Close()
}
