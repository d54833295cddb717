package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/lmstest"
)

// CPU time, unlike throughput, hardly depends on what else the machine
// runs: the benchmark divides the CPU a phase used by the work it did, so
// the home page and pgbench -S can be compared on a shared machine too.

// clockTick is Linux's USER_HZ, the unit of /proc/<pid>/stat's times.
const clockTick = 10 * time.Millisecond

// procStat reads a process's parent and CPU times from /proc/<pid>/stat:
// its own (user and system) and its reaped children's.
func procStat(pid int) (ppid int, own, children time.Duration, err error) {
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, 0, 0, err
	}
	s := string(raw)
	rest := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]) // fields from 3 (state) on
	if len(rest) < 15 {
		return 0, 0, 0, fmt.Errorf("/proc/%d/stat: short", pid)
	}
	n := func(i int) int64 { v, _ := strconv.ParseInt(rest[i], 10, 64); return v }
	ppid = int(n(1))
	own = time.Duration(n(11)+n(12)) * clockTick
	children = time.Duration(n(13)+n(14)) * clockTick
	return ppid, own, children, nil
}

// postgresCPU is the CPU time the Postgres server has used: the postmaster,
// its live processes (backends, background workers) and those that exited.
type postgresCPU struct{ postmaster int }

func newPostgresCPU(t testing.TB) postgresCPU {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, lmstest.Server.AdminURL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var backend int
	if err := conn.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&backend); err != nil {
		t.Fatal(err)
	}
	ppid, _, _, err := procStat(backend)
	if err != nil {
		t.Fatal(err)
	}
	return postgresCPU{postmaster: ppid}
}

func (p postgresCPU) used() time.Duration {
	_, own, children, err := procStat(p.postmaster)
	if err != nil {
		return 0
	}
	total := own + children
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, own, _, err := procStat(pid); err == nil && ppid == p.postmaster {
			total += own
		}
	}
	return total
}

// processCPU is this process's CPU time (the LMS and its load clients)
// and its reaped children's (pgbench).
func processCPU() (self, children time.Duration) {
	var self1, child syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self1)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &child)
	tv := func(r syscall.Rusage) time.Duration {
		return time.Duration(r.Utime.Nano() + r.Stime.Nano())
	}
	return tv(self1), tv(child)
}
