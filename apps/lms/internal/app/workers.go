package app

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/imports"
	"bellwork.dev/bellwork/apps/lms/internal/jobs"
	"bellwork.dev/bellwork/pkg/directory"
)

// workers is the list of background job kinds this process works: add a
// new kind here and every process (serve, tests) works it.
func (a *App) workers() *river.Workers {
	w := river.NewWorkers()
	river.AddWorker(w, &jobs.ImportWorker{DB: a.tenantDB, Files: a.files})
	river.AddWorker(w, &jobs.ImportExpiryWorker{DB: a.tenantDB, Now: a.now, Files: a.files})
	river.AddWorker(w, &jobs.RosterSyncWorker{DB: a.tenantDB, Provider: a.rosterProvider, Now: a.now, Files: a.files,
		Enqueue: func(ctx context.Context, s *db.Scope, args river.JobArgs) error { return a.Jobs.Enqueue(ctx, s, args) }})
	return w
}

// periodic lists the jobs every tenant's queue schedules for itself.
func (a *App) periodic(tenant string) []*river.PeriodicJob {
	return []*river.PeriodicJob{jobs.RosterSyncPeriodic(tenant, a.rosterSyncCheck), jobs.ImportExpiryPeriodic(tenant, a.importExpiryEvery)}
}

// files is where import files are kept (App.Files), read when a job runs.
func (a *App) files() imports.FileStore { return a.fileStore() }

// rosterProvider is a tenant's OneRoster REST provider, from the directory.
func (a *App) rosterProvider(tenant string) (*directory.Rostering, bool) {
	t, ok := a.Registry.Get(tenant)
	if !ok || t.Entry.Rostering == nil {
		return nil, false
	}
	return t.Entry.Rostering, true
}

func (a *App) now() time.Time { return a.Now() }

// tenantDB finds a tenant's database for background work.
func (a *App) tenantDB(ctx context.Context, tenant string) (*db.DB, error) {
	t, ok := a.Registry.Get(tenant)
	if !ok {
		return nil, fmt.Errorf("tenant %s is not in the directory", tenant)
	}
	return a.Registry.DB(ctx, t)
}
