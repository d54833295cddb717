// Package migrations owns the LMS schema: append-only SQL files embedded in
// the binary, applied with goose as the tenant database's owner role, over a
// direct connection (never through a transaction-mode pooler) and under
// goose's session advisory lock, so many replicas can migrate at once safely.
//
// Every file is marked by its name: NNNNN_expand_<what>.sql only adds (new
// tables, nullable columns, concurrently built indexes) and runs before a
// release starts; NNNNN_contract_<what>.sql removes what the previous release
// used and runs only after promotion. Each file is one transaction. A
// database no release has used yet gets every migration, contract ones
// included, even in the expand phase: nothing there needs what they remove.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed sql/*.sql
var files embed.FS

// Phase chooses which migrations run.
type Phase string

const (
	// Expand runs only additive migrations: safe while the previous release serves.
	Expand Phase = "expand"
	// Contract runs expand and contract migrations: only after promotion.
	Contract Phase = "contract"
)

// ParsePhase reads a --phase flag value.
func ParsePhase(s string) (Phase, error) {
	switch Phase(s) {
	case Expand, Contract:
		return Phase(s), nil
	}
	return "", fmt.Errorf("phase %q is not expand or contract", s)
}

// Names lists the migration files in order.
func Names() ([]string, error) {
	entries, err := fs.ReadDir(files, "sql")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names, nil
}

// Check verifies every file is named as an expand or a contract migration.
func Check() error {
	names, err := Names()
	if err != nil {
		return err
	}
	for _, n := range names {
		if !strings.Contains(n, "_expand_") && !strings.Contains(n, "_contract_") {
			return fmt.Errorf("migration %s is not marked: name it NNNNN_expand_<what>.sql or NNNNN_contract_<what>.sql", n)
		}
	}
	return nil
}

// Result says what a run applied.
type Result struct {
	Applied []string
}

// Run applies the migrations of a phase to the database at ownerURL, which
// must connect directly to the server as the schema's owner.
func Run(ctx context.Context, ownerURL string, phase Phase, log *slog.Logger) (*Result, error) {
	if err := Check(); err != nil {
		return nil, err
	}
	cfg, err := pgx.ParseConfig(ownerURL)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	// One replica at a time: the schema's and the job queue's migrations
	// both run under this session-level advisory lock (goose holds its own
	// inside it), so replicas that see a new tenant together take turns.
	lock, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to migrate: %w", err)
	}
	defer lock.Close(context.WithoutCancel(ctx))
	if err := takeLock(ctx, lock); err != nil {
		return nil, fmt.Errorf("wait for other replicas' migrations: %w", err)
	}
	defer func() { _, _ = lock.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLock) }()
	if phase == Expand {
		fresh, err := isFresh(ctx, lock)
		if err != nil {
			return nil, err
		}
		if fresh {
			// No release has used this database yet, so none needs what a
			// contract migration removes: apply everything.
			phase = Contract
		}
	}
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	db.SetMaxOpenConns(2)
	res, err := run(ctx, db, phase, log)
	if err != nil {
		return nil, err
	}
	if err := river(ctx, ownerURL); err != nil {
		return nil, err
	}
	return res, nil
}

// isFresh says whether no migration has been applied to the database yet.
func isFresh(ctx context.Context, conn *pgx.Conn) (bool, error) {
	var applied bool
	err := conn.QueryRow(ctx, `SELECT to_regclass('public.goose_db_version') IS NOT NULL`).Scan(&applied)
	if err != nil || !applied {
		return !applied, err
	}
	err = conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM goose_db_version WHERE version_id > 0)`).Scan(&applied)
	if err != nil {
		return false, fmt.Errorf("read applied migrations: %w", err)
	}
	return !applied, nil
}

// migrationLock is the advisory lock key of LMS migrations ("bellwork" in ASCII).
const migrationLock int64 = 0x62656c6c776f726b

// takeLock waits for the migration lock by trying it again and again rather
// than blocking in pg_advisory_lock: a blocked query is an open transaction,
// and an index the holder builds CONCURRENTLY waits for every open
// transaction to end, so the two would wait for each other for ever.
func takeLock(ctx context.Context, conn *pgx.Conn) error {
	for {
		var got bool
		if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", migrationLock).Scan(&got); err != nil {
			return err
		}
		if got {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// RunTo applies migrations up to and including version only, as the
// release that shipped it would have: benchmarks compare releases on one
// server with it. Production uses Run.
func RunTo(ctx context.Context, ownerURL string, version int64) error {
	cfg, err := pgx.ParseConfig(ownerURL)
	if err != nil {
		return fmt.Errorf("parse database URL: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	sub, err := fs.Sub(files, "sql")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		return fmt.Errorf("migrate to %d: %w", version, err)
	}
	return nil
}

func run(ctx context.Context, db *sql.DB, phase Phase, log *slog.Logger) (*Result, error) {
	sub, err := fs.Sub(files, "sql")
	if err != nil {
		return nil, err
	}
	var exclude []string
	if phase == Expand {
		names, _ := Names()
		for _, n := range names {
			if strings.Contains(n, "_contract_") {
				exclude = append(exclude, n)
			}
		}
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{
		goose.WithSessionLocker(locker),
		goose.WithExcludeNames(exclude),
		// A contract migration skipped by an earlier expand run is applied
		// later, after expand migrations with higher numbers.
		goose.WithAllowOutofOrder(true),
		goose.WithDisableGlobalRegistry(true),
	}
	if log != nil {
		opts = append(opts, goose.WithSlog(log))
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub, opts...)
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate (%s): %w", phase, err)
	}
	res := &Result{}
	for _, r := range results {
		if r.Source != nil {
			res.Applied = append(res.Applied, r.Source.Path)
		}
	}
	return res, nil
}
