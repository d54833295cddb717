// Package fleet wires an LMS process's parts that follow the tenants: the
// directory registry, the per-tenant database pools and the per-tenant job
// queues. A tenant's queue runs while its pool is open; an idle pool (and
// its queue) closes only when the queue has nothing left to do, and both
// come back with the tenant's next request.
package fleet

import (
	"context"
	"errors"
	"fmt"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/jobs"
	"bellwork.dev/bellwork/apps/lms/internal/tenancy"
)

// Wire connects the registry, its pools and the job runner.
func Wire(reg *tenancy.Registry, runner *jobs.Runner) {
	reg.Converge = func(ctx context.Context, t *tenancy.Tenant, d *db.DB) error {
		if err := tenancy.ConvergeDatabase(ctx, t, d, time.Now()); err != nil {
			return err
		}
		return runner.Start(ctx, t.Name(), d)
	}
	reg.OnRemove = runner.Stop
	reg.OnDB = func(t *tenancy.Tenant, d *db.DB) {
		if err := runner.Start(context.Background(), t.Name(), d); err != nil && !errors.Is(err, jobs.ErrRecentlyFailed) {
			reg.Log.Error("Could not start the job queue", "tenant", t.Name(), "err", err)
		}
	}
	reg.Pools.Keep = func(_ string, d *db.DB) bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return runner.Unfinished(ctx, d)
	}
	reg.Pools.OnEvict = runner.StopOn
}

// DBFor finds a tenant's database for background work.
func DBFor(reg *tenancy.Registry) func(tenant string) (*db.DB, error) {
	return func(tenant string) (*db.DB, error) {
		t, ok := reg.Get(tenant)
		if !ok {
			return nil, fmt.Errorf("tenant %s is not in the directory", tenant)
		}
		return reg.DB(t)
	}
}
