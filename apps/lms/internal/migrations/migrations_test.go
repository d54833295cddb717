package migrations_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/lmstest"
	"bellwork.dev/bellwork/apps/lms/internal/migrations"
)

func TestMain(m *testing.M) { lmstest.Main(m) }

func TestEveryMigrationIsMarkedExpandOrContract(t *testing.T) {
	if err := migrations.Check(); err != nil {
		t.Fatal(err)
	}
	names, _ := migrations.Names()
	if len(names) == 0 || !strings.Contains(names[0], "_expand_") {
		t.Fatalf("migrations: %v", names)
	}
}

// Many replicas seeing a new tenant at once all migrate it; the advisory
// lock makes one apply and the others find nothing left to do.
func TestConcurrentMigrationsApplyOnce(t *testing.T) {
	ctx := context.Background()
	d, err := lmstest.Provision(ctx, lmstest.Server, "concurrent_db")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	applied := make([]int, 4)
	errs := make([]error, 4)
	for i := range applied {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := migrations.Run(ctx, d.OwnerURL(), migrations.Expand, nil)
			errs[i] = err
			if res != nil {
				applied[i] = len(res.Applied)
			}
		}()
	}
	wg.Wait()
	total := 0
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
		total += applied[i]
	}
	names, _ := migrations.Names()
	if total != len(names) {
		t.Fatalf("%d migrations applied across replicas, want %d once", total, len(names))
	}
	// The first replica found a fresh database and applied contract
	// migrations too; contract afterwards finds nothing left to do.
	if _, err := migrations.Run(ctx, d.OwnerURL(), migrations.Contract, nil); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, d.OwnerURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var versions int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM goose_db_version WHERE version_id > 0").Scan(&versions); err != nil {
		t.Fatal(err)
	}
	if versions != len(names) {
		t.Fatalf("version rows %d, want %d", versions, len(names))
	}
}

func TestParsePhase(t *testing.T) {
	if _, err := migrations.ParsePhase("sideways"); err == nil || !strings.Contains(err.Error(), "expand or contract") {
		t.Fatalf("bad phase: %v", err)
	}
}

// A database a release already uses gets only expand migrations in the
// expand phase: the release before keeps its bw_begin() through a rollout,
// and the contract phase (lms migrate --phase contract, after promotion)
// removes it.
func TestExpandKeepsTheOldContextUntilContract(t *testing.T) {
	ctx := context.Background()
	d, err := lmstest.Provision(ctx, lmstest.Server, "rollout_db")
	if err != nil {
		t.Fatal(err)
	}
	if err := migrations.RunTo(ctx, d.OwnerURL(), 3); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, d.OwnerURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	hasBegin := func() bool {
		var ok bool
		if err := conn.QueryRow(ctx, "SELECT to_regprocedure('bw_begin(uuid, text, uuid)') IS NOT NULL").Scan(&ok); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	res, err := migrations.Run(ctx, d.OwnerURL(), migrations.Expand, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Applied) == 0 || !strings.Contains(res.Applied[0], "00004_expand_") || !hasBegin() ||
		slices.ContainsFunc(res.Applied, func(n string) bool { return strings.Contains(n, "_contract_") }) {
		t.Fatalf("expand applied %v; bw_begin kept: %v", res.Applied, hasBegin())
	}
	// The release before still works: its system work through bw_begin on
	// the app login writes and reads, and the password it sets is copied.
	app, err := pgx.Connect(ctx, d.AppURL())
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close(ctx)
	tx, err := app.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var copied int
	for _, sql := range []string{
		"SELECT bw_begin(NULL, 'system', NULL)",
		"INSERT INTO schools (code, name, time_zone) VALUES ('A', 'A', 'UTC')",
		"INSERT INTO users (email, display_name, password_hash) VALUES ('a@b.org', 'A', 'old-release-hash')",
	} {
		if _, err := tx.Exec(ctx, sql); err != nil {
			t.Fatalf("release before, after expand: %s: %v", sql, err)
		}
	}
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM user_passwords WHERE password_hash = 'old-release-hash'").Scan(&copied); err != nil || copied != 1 {
		t.Fatalf("password hash written by the release before: %d copied (%v)", copied, err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	res, err = migrations.Run(ctx, d.OwnerURL(), migrations.Contract, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Applied) != 1 || !strings.Contains(res.Applied[0], "00005_contract_") || hasBegin() {
		t.Fatalf("contract applied %v; bw_begin kept: %v", res.Applied, hasBegin())
	}
}
