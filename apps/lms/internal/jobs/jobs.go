// Package jobs runs the LMS's background work on a Postgres-backed queue
// (River) in each tenant's own database, so a district's jobs live and die
// with its data. Clients poll (no LISTEN), which works behind PgBouncer in
// transaction mode.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"bellwork.dev/bellwork/apps/lms/internal/db"
)

// Runner keeps one queue client per tenant database.
type Runner struct {
	Log *slog.Logger
	// Workers registers the job kinds this process works.
	Workers *river.Workers
	// Periodic lists the jobs each tenant's queue schedules itself (nil: none).
	Periodic func(tenant string) []*river.PeriodicJob

	// life is the process's lifetime: clients run until it ends (or they
	// are stopped), whichever request or loop happened to start them.
	life context.Context
	// inserter adds jobs inside a caller's transaction in any tenant's
	// database; it works no jobs, so enqueueing never waits for (or
	// depends on) a tenant's working client being up.
	inserter *river.Client[pgx.Tx]

	mu       sync.Mutex
	clients  map[string]*tenantClient
	starting map[string]chan struct{} // a start in flight, per tenant
	failed   map[string]time.Time     // when a tenant's last start failed

	worked *prometheus.CounterVec
	starts prometheus.Counter
}

type tenantClient struct {
	db     *db.DB
	client *river.Client[pgx.Tx]
}

// NewRunner makes a runner for the given workers whose clients live as
// long as life.
func NewRunner(life context.Context, log *slog.Logger, workers *river.Workers) (*Runner, error) {
	inserter, err := river.NewClient(riverpgxv5.New(nil), &river.Config{Workers: workers, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("job inserter: %w", err)
	}
	r := &Runner{Log: log, Workers: workers, life: life, inserter: inserter, clients: map[string]*tenantClient{},
		starting: map[string]chan struct{}{}, failed: map[string]time.Time{},
		worked: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "lms_jobs_finished_total", Help: "Background jobs finished, by kind and outcome."},
			[]string{"kind", "outcome"}),
		starts: prometheus.NewCounter(prometheus.CounterOpts{Name: "lms_job_queue_starts_total", Help: "Tenant job queue clients started (once per tenant pool, not per request)."})}
	return r, nil
}

// Collectors are the runner's metrics.
func (r *Runner) Collectors() []prometheus.Collector {
	return []prometheus.Collector{r.worked, r.starts}
}

// Running reports whether a tenant's queue is being worked on pool d.
func (r *Runner) Running(tenant string, d *db.DB) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	tc, ok := r.clients[tenant]
	return ok && tc.db == d
}

// Ensure makes sure a tenant's queue is being worked on pool d without
// waiting for it: when the client already runs on d (the usual case on a
// request) it returns at once; otherwise the start happens in the
// background, bounded by the runner's lifetime, so no request pays for
// connecting a queue client.
func (r *Runner) Ensure(tenant string, d *db.DB) {
	r.mu.Lock()
	tc, ok := r.clients[tenant]
	_, busy := r.starting[tenant]
	at, failed := r.failed[tenant]
	r.mu.Unlock()
	if (ok && tc.db == d) || busy || (failed && time.Since(at) < startRetry) {
		return
	}
	go func() {
		if err := r.Start(r.life, tenant, d); err != nil && !errors.Is(err, ErrRecentlyFailed) && r.life.Err() == nil {
			r.Log.Error("Could not start the job queue", "tenant", tenant, "err", err)
		}
	}()
}

// ErrRecentlyFailed says a tenant's queue failed to start moments ago and
// is not tried again yet.
var ErrRecentlyFailed = errors.New("its last start failed moments ago")

// startRetry is how long after a failed start a tenant's queue is not tried
// again: a district whose database is down must not make each of its
// requests wait for a connection attempt.
const startRetry = 10 * time.Second

// Start makes sure a tenant's queue is being worked on pool d (the tenant's
// database must be migrated). A changed pool (rotated credentials, a pool
// closed when idle and opened again) restarts the client on the new one.
// Starting one tenant's client never holds up another tenant's requests.
func (r *Runner) Start(ctx context.Context, tenant string, d *db.DB) error {
	for {
		r.mu.Lock()
		if tc, ok := r.clients[tenant]; ok && tc.db == d {
			r.mu.Unlock()
			return nil
		}
		if wait, busy := r.starting[tenant]; busy {
			r.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if at, ok := r.failed[tenant]; ok && time.Since(at) < startRetry {
			r.mu.Unlock()
			return fmt.Errorf("job queue for %s: %w", tenant, ErrRecentlyFailed)
		}
		old := r.clients[tenant]
		delete(r.clients, tenant)
		done := make(chan struct{})
		r.starting[tenant] = done
		r.mu.Unlock()

		if old != nil {
			go r.stop(old)
		}
		client, err := r.newClient(tenant, d)
		r.mu.Lock()
		delete(r.starting, tenant)
		close(done)
		if err != nil {
			r.failed[tenant] = time.Now()
		} else {
			delete(r.failed, tenant)
			r.clients[tenant] = &tenantClient{db: d, client: client}
		}
		r.mu.Unlock()
		return err
	}
}

func (r *Runner) newClient(tenant string, d *db.DB) (*river.Client[pgx.Tx], error) {
	var periodic []*river.PeriodicJob
	if r.Periodic != nil {
		periodic = r.Periodic(tenant)
	}
	client, err := river.NewClient(riverpgxv5.New(d.Pool()), &river.Config{
		PeriodicJobs:      periodic,
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}},
		Workers:           r.Workers,
		PollOnly:          true,
		FetchPollInterval: 500 * time.Millisecond,
		FetchCooldown:     100 * time.Millisecond,
		JobTimeout:        30 * time.Minute,
		Logger:            r.Log.With("tenant", tenant),
	})
	if err != nil {
		return nil, fmt.Errorf("job queue for %s: %w", tenant, err)
	}
	// The client lives until stopped or the process ends, not as long as
	// the converge or request that happened to start it.
	if err := client.Start(r.life); err != nil {
		return nil, fmt.Errorf("start job queue for %s: %w", tenant, err)
	}
	r.starts.Inc()
	events, cancel := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	go func() {
		defer cancel()
		for ev := range events {
			outcome := "completed"
			if ev.Kind == river.EventKindJobFailed {
				outcome = "failed"
			}
			r.worked.WithLabelValues(ev.Job.Kind, outcome).Inc()
		}
	}()
	return client, nil
}

// StopOn stops a tenant's queue client if it works on pool d (the pool is
// closing); a client already moved to another pool is left alone.
func (r *Runner) StopOn(tenant string, d *db.DB) {
	r.mu.Lock()
	tc, ok := r.clients[tenant]
	if ok && tc.db == d {
		delete(r.clients, tenant)
	}
	r.mu.Unlock()
	if ok && tc.db == d {
		r.stop(tc)
	}
}

// Stop stops a tenant's queue client (the tenant left the directory).
func (r *Runner) Stop(tenant string) {
	r.mu.Lock()
	tc, ok := r.clients[tenant]
	delete(r.clients, tenant)
	r.mu.Unlock()
	if ok {
		r.stop(tc)
	}
}

// StopAll stops every client, letting running jobs finish for a while.
func (r *Runner) StopAll() {
	r.mu.Lock()
	clients := r.clients
	r.clients = map[string]*tenantClient{}
	r.mu.Unlock()
	var wg sync.WaitGroup
	for _, tc := range clients {
		wg.Add(1)
		go func() { defer wg.Done(); r.stop(tc) }()
	}
	wg.Wait()
}

func (r *Runner) stop(tc *tenantClient) {
	// Stopping outlives the process's context: running jobs get a while
	// to finish after shutdown begins.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.life), 30*time.Second)
	defer cancel()
	if err := tc.client.Stop(ctx); err != nil {
		r.Log.Warn("Job queue did not stop cleanly", "err", err)
	}
}

// Unfinished reports whether a tenant's queue holds work still to do
// (waiting, running, retrying or scheduled), so its pool must stay open.
// A database that does not answer holds nothing that could run now: its
// pool may close, and the work resumes with the next request.
func (r *Runner) Unfinished(ctx context.Context, d *db.DB) bool {
	var pending bool
	err := d.Pool().QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM river_job
		WHERE state IN ('available', 'running', 'retryable', 'scheduled', 'pending'))`).Scan(&pending)
	return err == nil && pending
}

// Enqueue adds a job in the caller's transaction (in that tenant's
// database): it runs only if that transaction commits, and is worked once
// the tenant's queue client runs, even if it is not running right now.
func (r *Runner) Enqueue(ctx context.Context, s *db.Scope, args river.JobArgs) error {
	_, err := r.inserter.InsertTx(ctx, s.Tx, args, &river.InsertOpts{MaxAttempts: 3})
	return err
}
