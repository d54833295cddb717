package app

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"bellwork.dev/bellwork/apps/lms/internal/lmstest"
	"bellwork.dev/bellwork/pkg/directory"
)

func TestMain(m *testing.M) { lmstest.Main(m) }

// Requests hand out a converged tenant's pool many times; its job queue
// starts once (with the converge), not per request, and a pool opened
// again after an idle close gets its queue back without a request waiting.
func TestJobQueueStartsOncePerPoolNotPerRequest(t *testing.T) {
	life, cancel := context.WithCancel(context.Background())
	a, err := New(life, Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), PoolIdle: time.Minute, PoolMaxConns: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); a.Close() })
	a.Registry.Replace([]*directory.Entry{{Version: 1, Tenant: "once", DisplayName: "Once", Hosts: []string{"once.localhost"},
		TimeZone: "UTC", Database: lmstest.TenantDB(t), Schools: []directory.School{{Code: "A", Name: "School A", TimeZone: "UTC"}}}})
	tenant, _ := a.Registry.Get("once")
	ctx, stop := context.WithTimeout(life, time.Minute)
	defer stop()
	if !a.Registry.EnsureConverged(ctx, tenant) {
		t.Fatal("tenant did not converge")
	}
	if got := starts(t, a); got != 1 {
		t.Fatalf("queue starts after converge: %v, want 1", got)
	}
	for range 50 {
		if _, err := a.Registry.DB(t.Context(), tenant); err != nil {
			t.Fatal(err)
		}
	}
	if got := starts(t, a); got != 1 {
		t.Fatalf("queue starts after 50 requests: %v, want 1", got)
	}

	// The idle pool closes with its queue; the next hand-out starts the
	// queue on the new pool in the background.
	// The queue client borrows a connection now and then; try a few times.
	closed := 0
	for i := 0; i < 100 && closed == 0; i++ {
		closed = a.Pools.EvictIdle(time.Now().Add(2 * a.Pools.IdleAfter))
		time.Sleep(20 * time.Millisecond)
	}
	if closed != 1 {
		t.Fatalf("closed %d idle pools, want 1", closed)
	}
	d, err := a.Registry.DB(t.Context(), tenant)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !a.Jobs.Running("once", d) {
		if time.Now().After(deadline) {
			t.Fatal("the queue did not come back on the reopened pool")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := starts(t, a); got != 2 {
		t.Fatalf("queue starts after the pool came back: %v, want 2", got)
	}
}

func starts(t *testing.T, a *App) float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(a.Collectors()...)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "lms_job_queue_starts_total" {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	return 0
}
