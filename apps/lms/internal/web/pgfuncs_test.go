package web

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/lmstest"
)

// functionCost is one database function's share of a request, from
// Postgres' own statistics (pg_stat_user_functions).
type functionCost struct {
	Name                string
	Calls               float64 // per request
	TotalMs, SelfMs     float64 // per request: with and without the functions it calls
	totalCalls, totalUs int64
}

// functionCosts runs op n times with Postgres tracking every function call
// in the district's database (track_functions, set for the database as the
// superuser; the district's pools are reopened so their connections use
// it), and returns the calls and time per op of each function, most self
// time first, and the time per op the database's backends spent running
// statements (pg_stat_database.active_time). Backends report their counters when they exit, so the pools
// are closed before reading. It times the server's work, on a machine
// shared with other work: compare functions with each other, not runs.
func functionCosts(t testing.TB, d *district, n int, op func() error) ([]functionCost, float64) {
	t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, lmstest.Server.AdminURL(d.entry.Database.Name))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	name := pgx.Identifier{d.entry.Database.Name}.Sanitize()
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+name+" SET track_functions = 'all'"); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = admin.Exec(ctx, "ALTER DATABASE "+name+" RESET track_functions") }()
	settle := func() {
		d.srv.Registry.Pools.Close(d.entry.Tenant)
		time.Sleep(500 * time.Millisecond)
	}
	settle()
	if _, err := admin.Exec(ctx, "SELECT pg_stat_reset()"); err != nil {
		t.Fatal(err)
	}
	var active0, active1 float64
	activeTime := `SELECT active_time FROM pg_stat_database WHERE datname = current_database()`
	if err := admin.QueryRow(ctx, activeTime).Scan(&active0); err != nil {
		t.Fatal(err)
	}
	for range n {
		if err := op(); err != nil {
			t.Fatal(err)
		}
	}
	settle()
	if _, err := admin.Exec(ctx, "SELECT pg_stat_clear_snapshot()"); err != nil {
		t.Fatal(err)
	}
	if err := admin.QueryRow(ctx, activeTime).Scan(&active1); err != nil {
		t.Fatal(err)
	}
	rows, err := admin.Query(ctx, `SELECT funcname, calls, (total_time * 1000)::bigint, (self_time * 1000)::bigint
		FROM pg_stat_user_functions WHERE schemaname = 'public'`)
	if err != nil {
		t.Fatal(err)
	}
	var out []functionCost
	for rows.Next() {
		var f functionCost
		var selfUs int64
		if err := rows.Scan(&f.Name, &f.totalCalls, &f.totalUs, &selfUs); err != nil {
			t.Fatal(err)
		}
		f.Calls = float64(f.totalCalls) / float64(n)
		f.TotalMs = float64(f.totalUs) / 1000 / float64(n)
		f.SelfMs = float64(selfUs) / 1000 / float64(n)
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SelfMs > out[j].SelfMs })
	return out, (active1 - active0) / float64(n)
}

// formatCosts lists function costs, one a line.
func formatCosts(fs []functionCost) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "    %-26s %5.1f calls  %6.3f ms self  %6.3f ms with callees\n", f.Name, f.Calls, f.SelfMs, f.TotalMs)
	}
	return b.String()
}
