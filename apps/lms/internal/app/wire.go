package app

import (
	"context"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/tenancy"
)

// wire connects the registry, its pools and the job runner. A tenant's queue
// runs while its pool is open; an idle pool (and its queue) closes only
// when the queue has nothing left to do, and both come back with the
// tenant's next request.
func (a *App) wire() {
	reg, runner := a.Registry, a.Jobs
	reg.Converge = func(ctx context.Context, t *tenancy.Tenant, d *db.DB) error {
		if err := tenancy.ConvergeDatabase(ctx, t, d, a.Now()); err != nil {
			return err
		}
		return runner.Start(ctx, t.Name(), d)
	}
	reg.OnRemove = runner.Stop
	// Handing out a converged tenant's pool (every request does) only
	// checks that its queue runs on that pool; a missing one (the pool was
	// closed when idle and opened again) starts in the background, never
	// on the request.
	reg.OnDB = func(t *tenancy.Tenant, d *db.DB) { runner.Ensure(t.Name(), d) }
	reg.Pools.Keep = func(_ string, d *db.DB) bool {
		ctx, cancel := context.WithTimeout(a.life, 5*time.Second)
		defer cancel()
		return runner.Unfinished(ctx, d)
	}
	reg.Pools.OnEvict = runner.StopOn
}
