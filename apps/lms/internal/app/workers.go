package app

import (
	"context"
	"fmt"

	"github.com/riverqueue/river"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/jobs"
)

// workers is the list of background job kinds this process works: add a
// new kind here and every process (serve, tests) works it.
func (a *App) workers() *river.Workers {
	w := river.NewWorkers()
	river.AddWorker(w, &jobs.ImportWorker{DB: a.tenantDB})
	return w
}

// tenantDB finds a tenant's database for background work.
func (a *App) tenantDB(ctx context.Context, tenant string) (*db.DB, error) {
	t, ok := a.Registry.Get(tenant)
	if !ok {
		return nil, fmt.Errorf("tenant %s is not in the directory", tenant)
	}
	return a.Registry.DB(ctx, t)
}
