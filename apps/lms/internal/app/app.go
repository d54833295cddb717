// Package app assembles one LMS process below HTTP, in one place: the
// per-tenant database pools, the tenant registry and how it converges a
// district, the job runner with the list of workers it runs, and the
// mailer. `lms serve` and the web tests build the same App and put the web
// server (web.New) on top of it; the quick start, the e2e platform and the
// operator's pods all run `lms serve`. Web imports app, not the reverse, so
// the web package's own tests can assemble a process exactly as serve does.
package app

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/health"
	"bellwork.dev/bellwork/apps/lms/internal/jobs"
	"bellwork.dev/bellwork/apps/lms/internal/mail"
	"bellwork.dev/bellwork/apps/lms/internal/storage"
	"bellwork.dev/bellwork/apps/lms/internal/tenancy"
)

// Config is what varies between processes.
type Config struct {
	Log *slog.Logger
	// Mailer sends mail; nil discards it.
	Mailer mail.Mailer
	// PoolIdle closes a tenant's database pool unused this long.
	PoolIdle time.Duration
	// PoolMaxConns caps each tenant pool.
	PoolMaxConns int32
	// RosterSyncCheck is how often each tenant's queue checks whether its
	// OneRoster REST sync is due (jobs.RosterSyncEvery when zero).
	RosterSyncCheck time.Duration
	// ImportExpiryEvery is how often each tenant's queue drops expired
	// import files (jobs.ImportExpiryEvery when zero).
	ImportExpiryEvery time.Duration
	// Files is where uploaded files are kept (see App.Files).
	Files storage.Store
}

// App is one LMS process's parts that follow the tenants.
type App struct {
	Log      *slog.Logger
	Pools    *db.Pools
	Registry *tenancy.Registry
	Jobs     *jobs.Runner
	Mailer   mail.Mailer
	// Health samples each open district's health and the file storage
	// every minute (their /metrics series and the admins' /admin/health
	// history).
	Health *health.Monitor
	// Now is the clock below HTTP (tests may pin it).
	Now func() time.Time
	// store is where uploaded files are kept (Config.Files, or the web
	// server's, see UseFiles).
	store atomic.Pointer[storage.Store]

	life context.Context
	// rosterSyncCheck is Config.RosterSyncCheck.
	rosterSyncCheck time.Duration
	// importExpiryEvery is Config.ImportExpiryEvery.
	importExpiryEvery time.Duration
}

// UseFiles makes st the process's file store, where import files among
// others are kept, unless it has one already (Config.Files); it returns
// st, or the process's store when st is nil. The web server calls it, so
// the pages and the import jobs use one store. Without any store, import
// files are kept in the database.
func (a *App) UseFiles(st storage.Store) storage.Store {
	if st == nil {
		return a.fileStore()
	}
	a.store.CompareAndSwap(nil, &st)
	return st
}

func (a *App) fileStore() storage.Store {
	if p := a.store.Load(); p != nil {
		return *p
	}
	return nil
}

// New assembles a process that lives as long as life: background work
// (job queue clients, converges started by a request) ends with it. Call
// Run to start the loops and Close when done.
func New(life context.Context, cfg Config) (*App, error) {
	if cfg.Mailer == nil {
		cfg.Mailer = mail.Discard{}
	}
	pools := db.NewPools(cfg.PoolIdle, cfg.PoolMaxConns)
	reg := tenancy.NewRegistry(pools, cfg.Log)
	a := &App{Log: cfg.Log, Pools: pools, Registry: reg, Mailer: cfg.Mailer, Now: time.Now, life: life, rosterSyncCheck: cfg.RosterSyncCheck,
		importExpiryEvery: cfg.ImportExpiryEvery}
	if cfg.Files != nil {
		a.store.Store(&cfg.Files)
	}
	runner, err := jobs.NewRunner(life, cfg.Log, a.workers())
	if err != nil {
		pools.CloseAll()
		return nil, err
	}
	runner.Periodic = a.periodic
	a.Jobs = runner
	a.Health = health.NewMonitor(reg, func() time.Time { return a.Now() })
	a.Health.Log = cfg.Log
	a.wire()
	return a, nil
}

// Run keeps the registry converging tenants, closes idle pools and samples
// districts' health until ctx ends.
func (a *App) Run(ctx context.Context) {
	go a.Pools.Run(ctx)
	go a.Health.Run(ctx)
	a.Registry.Run(ctx)
}

// Close stops every job queue (letting running jobs finish for a while),
// then closes every pool.
func (a *App) Close() {
	a.Jobs.StopAll()
	a.Pools.CloseAll()
}

// Collectors are the metrics of the parts below HTTP.
func (a *App) Collectors() []prometheus.Collector {
	if a.Jobs == nil {
		return nil // a bare App (route table tests) runs no jobs
	}
	return append(a.Jobs.Collectors(), a.Health.Collector())
}
