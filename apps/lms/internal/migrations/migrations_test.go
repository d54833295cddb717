package migrations_test

import (
	"context"
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
