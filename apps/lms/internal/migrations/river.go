package migrations

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// river brings the job queue's tables (River's own migrations) up to date
// and puts them under row-level security like every other table. Their
// policy admits what bw_job_queue() admits: after the contract migration
// 00005, the system login only (and the owner, whose River migrations read
// them), because a job names whom it acts for, so whoever may write the
// queue may act as anyone.
func river(ctx context.Context, ownerURL string) error {
	pool, err := pgxpool.New(ctx, ownerURL)
	if err != nil {
		return fmt.Errorf("job queue migrations: %w", err)
	}
	defer pool.Close()
	m, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return fmt.Errorf("job queue migrations: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("job queue migrations: %w", err)
	}
	rows, err := pool.Query(ctx, `SELECT c.relname, c.relrowsecurity AND c.relforcerowsecurity,
			EXISTS (SELECT 1 FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname AND p.policyname = 'job_queue'),
			EXISTS (SELECT 1 FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname AND p.policyname = 'job_queue'
				AND p.qual LIKE '%bw_job_queue()%' AND p.with_check LIKE '%bw_job_queue()%')
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname LIKE 'river\_%'`)
	if err != nil {
		return fmt.Errorf("job queue security: %w", err)
	}
	type table struct {
		Name                   string
		Forced, Named, Current bool
	}
	tables, err := pgx.CollectRows(rows, pgx.RowToStructByPos[table])
	if err != nil {
		return fmt.Errorf("job queue security: %w", err)
	}
	for _, t := range tables {
		id := pgx.Identifier{t.Name}.Sanitize()
		if !t.Forced {
			if _, err := pool.Exec(ctx, "ALTER TABLE "+id+" ENABLE ROW LEVEL SECURITY; ALTER TABLE "+id+" FORCE ROW LEVEL SECURITY"); err != nil {
				return fmt.Errorf("job queue security on %s: %w", t.Name, err)
			}
		}
		if t.Current {
			continue // ALTER POLICY would lock the queue's tables for nothing
		}
		verb := "CREATE"
		if t.Named {
			verb = "ALTER" // an older release made it USING (true)
		}
		if _, err := pool.Exec(ctx, verb+" POLICY job_queue ON "+id+" USING ((SELECT bw_job_queue())) WITH CHECK ((SELECT bw_job_queue()))"); err != nil {
			return fmt.Errorf("job queue policy on %s: %w", t.Name, err)
		}
	}
	return nil
}
