package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/imports"
	"bellwork.dev/bellwork/apps/lms/internal/rostersync"
	"bellwork.dev/bellwork/pkg/directory"
)

// RosterSyncArgs asks for a district's OneRoster REST sync to run: when it
// is due (the periodic check every process schedules), or at once (Force:
// an admin's "Sync now").
type RosterSyncArgs struct {
	Tenant string `json:"tenant"`
	Force  bool   `json:"force,omitempty"`
}

// Kind names the job.
func (RosterSyncArgs) Kind() string { return "roster_sync" }

// RosterSyncEvery is how often each tenant's queue checks whether its
// sync is due, unless the process says otherwise.
const RosterSyncEvery = 5 * time.Minute

// RosterSyncWorker runs syncs.
type RosterSyncWorker struct {
	river.WorkerDefaults[RosterSyncArgs]
	DB func(ctx context.Context, tenant string) (*db.DB, error)
	// Provider is the tenant's rostering provider from the directory.
	Provider func(tenant string) (*directory.Rostering, bool)
	// Enqueue adds a job in a caller's transaction (Runner.Enqueue).
	Enqueue func(ctx context.Context, s *db.Scope, args river.JobArgs) error
	Now     func() time.Time
	// Client adjusts the REST client (tests shorten waits).
	Client func(c *rostersync.Client)
	// Files is where import files are kept (nil: in the database).
	Files func() imports.FileStore
}

// Work runs the sync if it is due. A district without a provider in the
// directory has nothing to sync.
func (w *RosterSyncWorker) Work(ctx context.Context, job *river.Job[RosterSyncArgs]) error {
	p, ok := w.Provider(job.Args.Tenant)
	if !ok || p == nil {
		return nil
	}
	d, err := w.DB(ctx, job.Args.Tenant)
	if err != nil {
		return err
	}
	client := &rostersync.Client{Provider: rostersync.Provider{BaseURL: p.BaseURL, Version: p.Version, Auth: p.Auth, TokenURL: p.TokenURL,
		ClientID: p.ClientID, ClientSecret: p.ClientSecret, Scope: p.Scope}}
	if w.Client != nil {
		w.Client(client)
	}
	now := w.Now
	if now == nil {
		now = time.Now
	}
	run := &rostersync.Run{DB: d, Client: client, Now: now, Files: fileStore(w.Files),
		Enqueue: func(ctx context.Context, s *db.Scope, importID string, actor db.Actor) error {
			return w.Enqueue(ctx, s, ImportArgs{Tenant: job.Args.Tenant, ImportID: importID, UserID: actor.UserID, Role: string(actor.Role)})
		}}
	// A failed run is recorded in the run history and tried again at the
	// next scheduled time, not retried by the queue at once.
	if _, err := run.Once(ctx, job.Args.Force); err != nil {
		return river.JobCancel(fmt.Errorf("roster sync of %s: %w", job.Args.Tenant, err))
	}
	return nil
}

// RosterSyncPeriodic is the periodic job that checks a tenant's sync every
// so often (RosterSyncEvery when zero).
func RosterSyncPeriodic(tenant string, every time.Duration) *river.PeriodicJob {
	if every <= 0 {
		every = RosterSyncEvery
	}
	return river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) {
		return RosterSyncArgs{Tenant: tenant}, &river.InsertOpts{MaxAttempts: 1}
	}, &river.PeriodicJobOpts{RunOnStart: true})
}
