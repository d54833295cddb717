package db_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// beforeCheapChecksVersion is the last migration before 00031 (policy
// checks answered from the context, the context row updated in place).
const beforeCheapChecksVersion = 30

// backendCPU is the user and system CPU time a local Postgres backend has
// used so far (/proc/<pid>/stat, clock ticks of 10 ms): unlike wall time,
// it barely moves with the load of the machine's other work.
func backendCPU(b *testing.B, pid uint32) time.Duration {
	b.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Skipf("no CPU time for backend %d: %v", pid, err)
	}
	s := string(raw)
	f := strings.Fields(s[strings.LastIndex(s, ")")+2:])
	user, _ := strconv.ParseInt(f[11], 10, 64)
	sys, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(user+sys) * 10 * time.Millisecond
}

// BenchmarkPolicyChecks measures the Postgres CPU of a teacher's
// transaction (establish the context from the session, then read users,
// memberships, sections, enrollments and courses through the policies) on
// one long-lived connection each, before migration 00031 and with it,
// alternating rounds of 1,000 transactions. It reports the backend's CPU
// time per transaction (from /proc, so the server must be local) for the
// first and the last round, and the pages of each connection's context
// table at the end; it asserts nothing about speed.
//
//	go test -run '^$' -bench PolicyChecks -benchtime 1x ./apps/lms/internal/db/
func BenchmarkPolicyChecks(b *testing.B) {
	ctx := context.Background()
	before, now := newDistrict(b, ctx, beforeCheapChecksVersion), newDistrict(b, ctx, 0)
	defer before.app.Close(ctx)
	defer now.app.Close(ctx)
	reads := []string{"SELECT count(*) FROM users", "SELECT count(*) FROM memberships", "SELECT count(*) FROM sections",
		"SELECT count(*) FROM enrollments", "SELECT count(*) FROM courses"}
	one := func(d *benchDistrict) {
		tx, err := d.app.Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, d.establish, d.args...); err != nil {
			b.Fatal(err)
		}
		var n int
		for _, q := range reads {
			if err := tx.QueryRow(ctx, q).Scan(&n); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(ctx); err != nil {
			b.Fatal(err)
		}
	}
	const rounds, perRound = 5, 1000
	round := func(d *benchDistrict) float64 {
		pid := d.app.PgConn().PID()
		start := backendCPU(b, pid)
		for range perRound {
			one(d)
		}
		return float64((backendCPU(b, pid) - start).Microseconds()) / perRound
	}
	pages := func(d *benchDistrict) int64 {
		var size int64
		if err := d.app.QueryRow(ctx, "SELECT pg_relation_size(to_regclass('pg_temp.bw_context'))").Scan(&size); err != nil {
			b.Fatal(err)
		}
		return size / 8192
	}
	b.ResetTimer()
	var first, last [2]float64
	for r := range rounds {
		x, y := round(before), round(now)
		if r == 0 {
			first = [2]float64{x, y}
		}
		last = [2]float64{x, y}
	}
	b.StopTimer()
	fmt.Printf("\nA teacher's transaction on one connection, backend CPU (%d rounds of %d, alternated):\n", rounds, perRound)
	fmt.Printf("  first round: before 00031 %.0fus, with it %.0fus\n", first[0], first[1])
	fmt.Printf("  last round:  before 00031 %.0fus, with it %.0fus\n", last[0], last[1])
	fmt.Printf("  context table after %d transactions: before 00031 %d pages, with it %d\n", rounds*perRound+1, pages(before), pages(now))
	b.ReportMetric(first[0], "before-first-us/tx")
	b.ReportMetric(first[1], "now-first-us/tx")
	b.ReportMetric(last[0], "before-last-us/tx")
	b.ReportMetric(last[1], "now-last-us/tx")
}
