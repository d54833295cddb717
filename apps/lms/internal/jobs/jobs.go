// Package jobs runs the LMS's background work on a Postgres-backed queue
// (River) in each tenant's own database, so a district's jobs live and die
// with its data. Clients poll (no LISTEN), which works behind PgBouncer in
// transaction mode.
package jobs

import (
	"context"
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

	mu      sync.Mutex
	clients map[string]*tenantClient

	worked *prometheus.CounterVec
}

type tenantClient struct {
	db     *db.DB
	client *river.Client[pgx.Tx]
}

// NewRunner makes a runner for the given workers.
func NewRunner(log *slog.Logger, workers *river.Workers) *Runner {
	r := &Runner{Log: log, Workers: workers, clients: map[string]*tenantClient{},
		worked: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "lms_jobs_finished_total", Help: "Background jobs finished, by kind and outcome."},
			[]string{"kind", "outcome"})}
	return r
}

// Collectors are the runner's metrics.
func (r *Runner) Collectors() []prometheus.Collector { return []prometheus.Collector{r.worked} }

// Start makes sure a tenant's queue is being worked (the tenant's database
// must be migrated). A changed database handle (rotated credentials)
// restarts the client on the new pool.
func (r *Runner) Start(ctx context.Context, tenant string, d *db.DB) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if tc, ok := r.clients[tenant]; ok {
		if tc.db == d {
			return nil
		}
		go r.stop(tc)
		delete(r.clients, tenant)
	}
	client, err := river.NewClient(riverpgxv5.New(d.Pool()), &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}},
		Workers:           r.Workers,
		PollOnly:          true,
		FetchPollInterval: 500 * time.Millisecond,
		FetchCooldown:     100 * time.Millisecond,
		JobTimeout:        30 * time.Minute,
		Logger:            r.Log.With("tenant", tenant),
	})
	if err != nil {
		return fmt.Errorf("job queue for %s: %w", tenant, err)
	}
	if err := client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start job queue for %s: %w", tenant, err)
	}
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
	r.clients[tenant] = &tenantClient{db: d, client: client}
	return nil
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
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := tc.client.Stop(ctx); err != nil {
		r.Log.Warn("Job queue did not stop cleanly", "err", err)
	}
}

// Unfinished reports whether a tenant's queue holds work still to do
// (waiting, running, retrying or scheduled), so its pool must stay open.
// When it cannot tell, it says yes.
func (r *Runner) Unfinished(ctx context.Context, d *db.DB) bool {
	var pending bool
	err := d.Pool().QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM river_job
		WHERE state IN ('available', 'running', 'retryable', 'scheduled', 'pending'))`).Scan(&pending)
	return err != nil || pending
}

// Enqueue adds a job in the caller's transaction: it runs only if that
// transaction commits.
func (r *Runner) Enqueue(ctx context.Context, tenant string, s *db.Scope, args river.JobArgs) error {
	r.mu.Lock()
	tc, ok := r.clients[tenant]
	r.mu.Unlock()
	if !ok {
		return fmt.Errorf("job queue for %s is not running", tenant)
	}
	_, err := tc.client.InsertTx(ctx, s.Tx, args, &river.InsertOpts{MaxAttempts: 3})
	return err
}
