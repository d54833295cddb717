package db

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"bellwork.dev/bellwork/pkg/directory"
)

// PooledQueryExecMode is how the LMS runs queries behind a transaction-mode
// pooler. pgx's default caches named prepared statements per connection,
// which a pooler hands to other clients' transactions on other server
// connections; PgBouncer tracks them only from 1.21, and only with
// max_prepared_statements set (Debian 12 ships 1.18). This mode caches only
// the statements' descriptions in the client and sends every query as an
// unnamed statement, parsed, bound and run in one round trip, so it needs
// nothing from the pooler. It keeps parameter types: QueryExecModeExec
// guesses them from Go types and sends []byte as bytea, which a jsonb
// column refuses (tested through a real PgBouncer in
// apps/lms/internal/web/pooler_test.go).
const PooledQueryExecMode = pgx.QueryExecModeCacheDescribe

// Pools keeps one lazily created pool per tenant and closes pools that sat
// idle, so a fleet serving thousands of districts holds connections only
// for the ones in use.
type Pools struct {
	// IdleAfter closes a tenant's pool unused this long.
	IdleAfter time.Duration
	// MaxConns caps each tenant pool.
	MaxConns int32
	// Keep, when set, is asked before an idle pool is closed; true keeps it
	// open (a tenant with background work still due, say).
	Keep func(tenant string, d *DB) bool
	// OnEvict, when set, is told a tenant's idle pool is about to close, so
	// whatever else uses that pool (a job queue client) lets go first.
	OnEvict func(tenant string, d *DB)
	// Tracer, when set before a tenant's pools open, traces their queries
	// (a RoundTrips counter in tests and benchmarks).
	Tracer pgx.QueryTracer

	mu    sync.Mutex
	pools map[string]*tenantPool
}

type tenantPool struct {
	key      string // every connection URL: a change to any reopens
	db       *DB
	lastUsed time.Time
}

// NewPools makes an empty set of pools.
func NewPools(idleAfter time.Duration, maxConns int32) *Pools {
	return &Pools{IdleAfter: idleAfter, MaxConns: maxConns, pools: map[string]*tenantPool{}}
}

// Get returns the tenant's pools for database d (its app role and system
// login), creating them on first use. New settings (rotated credentials, a
// moved database) replace the pools; the old ones close once their
// connections are returned. Behind a transaction-mode pooler (Host differs
// from DirectHost), queries run in PooledQueryExecMode.
//
// ctx is the caller's (often a request's): the pools outlive it, and pgxpool
// only passes it, without its cancellation, to the connections it opens in
// the background, so a finished request does not close them.
func (p *Pools) Get(ctx context.Context, tenant string, d directory.Database) (*DB, error) {
	key := d.AppURL() + "\x00" + d.SystemURL() + "\x00" + d.AppDirectURL() + "\x00" + d.SystemDirectURL()
	pooled := d.Host != d.DirectHost || d.Port != d.DirectPort
	p.mu.Lock()
	defer p.mu.Unlock()
	if tp, ok := p.pools[tenant]; ok {
		if tp.key == key {
			tp.lastUsed = time.Now()
			return tp.db, nil
		}
		go tp.db.close()
		delete(p.pools, tenant)
	}
	logins, err := loginChecks(tenant, d)
	if err != nil {
		return nil, err
	}
	app, err := p.open(ctx, tenant, d.AppURL(), pooled)
	if err != nil {
		return nil, err
	}
	system, err := p.open(ctx, tenant, d.SystemURL(), pooled)
	if err != nil {
		app.Close()
		return nil, err
	}
	tp := &tenantPool{key: key, db: &DB{Tenant: tenant, app: app, system: system, logins: logins}, lastUsed: time.Now()}
	p.pools[tenant] = tp
	return tp.db, nil
}

func (p *Pools) open(ctx context.Context, tenant, url string, pooled bool) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("tenant %s: parse database URL: %w", tenant, err)
	}
	cfg.MaxConns = p.MaxConns
	cfg.MinConns = 0
	cfg.MaxConnIdleTime = p.IdleAfter / 2
	cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	cfg.ConnConfig.RuntimeParams["application_name"] = "bellwork-lms"
	if p.Tracer != nil {
		cfg.ConnConfig.Tracer = p.Tracer
	}
	if pooled {
		cfg.ConnConfig.DefaultQueryExecMode = PooledQueryExecMode
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("tenant %s: open pool: %w", tenant, err)
	}
	return pool, nil
}

// Close closes a tenant's pool (the tenant left the directory).
func (p *Pools) Close(tenant string) {
	p.mu.Lock()
	tp, ok := p.pools[tenant]
	delete(p.pools, tenant)
	p.mu.Unlock()
	if ok {
		tp.db.close()
	}
}

// CloseAll closes every pool.
func (p *Pools) CloseAll() {
	p.mu.Lock()
	pools := p.pools
	p.pools = map[string]*tenantPool{}
	p.mu.Unlock()
	for _, tp := range pools {
		tp.db.close()
	}
}

// EvictIdle closes pools unused for IdleAfter (unless Keep says
// otherwise); call it periodically. It returns how many it closed.
func (p *Pools) EvictIdle(now time.Time) int {
	idle := func(tp *tenantPool) bool {
		return now.Sub(tp.lastUsed) >= p.IdleAfter && tp.db.acquired() == 0
	}
	p.mu.Lock()
	candidates := map[string]*tenantPool{}
	for name, tp := range p.pools {
		if idle(tp) {
			candidates[name] = tp
		}
	}
	p.mu.Unlock()
	closed := 0
	for name, tp := range candidates {
		if p.Keep != nil && p.Keep(name, tp.db) {
			continue
		}
		p.mu.Lock()
		// A request may have taken the pool meanwhile.
		still := p.pools[name] == tp && idle(tp)
		if still {
			delete(p.pools, name)
		}
		p.mu.Unlock()
		if !still {
			continue
		}
		if p.OnEvict != nil {
			p.OnEvict(name, tp.db)
		}
		tp.db.close()
		closed++
	}
	return closed
}

// Peek returns a tenant's pool if one is open, without opening one or
// counting as use (health checks must not keep pools alive).
func (p *Pools) Peek(tenant string) (*DB, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	tp, ok := p.pools[tenant]
	if !ok {
		return nil, false
	}
	return tp.db, true
}

// Run evicts idle pools until ctx ends.
func (p *Pools) Run(ctx context.Context) {
	t := time.NewTicker(p.IdleAfter / 4)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			p.EvictIdle(now)
		}
	}
}

// Stats lists open pools' statistics by tenant.
func (p *Pools) Stats() map[string]*pgxpool.Stat {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]*pgxpool.Stat, len(p.pools))
	for name, tp := range p.pools {
		out[name] = tp.db.Stat()
	}
	return out
}
