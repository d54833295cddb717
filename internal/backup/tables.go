package backup

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// querier is a connection or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// tableStats counts every user table's rows and sums a 64-bit hash of each
// row's text: a checksum that ignores row order (a restore may reorder
// rows) and needs constant memory however large the table.
func tableStats(ctx context.Context, q querier) ([]TableStat, error) {
	rows, err := q.Query(ctx, `SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
		ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	names, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (pgx.Identifier, error) {
		var schema, table string
		err := r.Scan(&schema, &table)
		return pgx.Identifier{schema, table}, err
	})
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	out := make([]TableStat, 0, len(names))
	for _, id := range names {
		st := TableStat{Table: id[0] + "." + id[1]}
		if err := q.QueryRow(ctx, `SELECT count(*), coalesce(sum(('x' || left(md5(t::text), 16))::bit(64)::bigint::numeric), 0)::text FROM ONLY `+id.Sanitize()+` t`).
			Scan(&st.Rows, &st.Checksum); err != nil {
			return nil, fmt.Errorf("checksum %s: %w", st.Table, err)
		}
		out = append(out, st)
	}
	return out, nil
}

// schemaVersion is the LMS's applied migration version (goose's table), or
// "" for a database without it.
func schemaVersion(ctx context.Context, q querier) (string, error) {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT to_regclass('public.goose_db_version') IS NOT NULL`).Scan(&exists); err != nil {
		return "", fmt.Errorf("schema version: %w", err)
	}
	if !exists {
		return "", nil
	}
	var v string
	if err := q.QueryRow(ctx, `SELECT coalesce(max(version_id), 0)::text FROM public.goose_db_version WHERE is_applied`).Scan(&v); err != nil {
		return "", fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}

// compareTables lists the differences between a restore and its manifest.
func compareTables(want, got []TableStat) []string {
	var problems []string
	have := map[string]TableStat{}
	for _, t := range got {
		have[t.Table] = t
	}
	for _, w := range want {
		g, ok := have[w.Table]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("table %s missing after restore", w.Table))
		case g.Rows != w.Rows:
			problems = append(problems, fmt.Sprintf("table %s has %d rows after restore, manifest says %d", w.Table, g.Rows, w.Rows))
		case g.Checksum != w.Checksum:
			problems = append(problems, fmt.Sprintf("table %s content checksum differs from the manifest", w.Table))
		}
		delete(have, w.Table)
	}
	for name := range have {
		problems = append(problems, fmt.Sprintf("table %s is not in the manifest", name))
	}
	return problems
}
