// Package tenancy keeps the LMS's view of the tenant directory: which
// district each host serves, with its database pool, and whether its
// database has been converged (migrated, schools and admins applied). It
// reads the directory from a folder or from Kubernetes Secrets and applies
// changes without a restart.
package tenancy

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/pkg/directory"
)

// Tenant is one district as the LMS serves it.
type Tenant struct {
	Entry *directory.Entry
	Hash  string
	// convergeHash covers only what converging the database reads: the
	// entry without its feature flags and flag tokens, so flipping a flag
	// (for a thousand districts at once) does not migrate and re-sync a
	// thousand databases.
	convergeHash string

	// converging is held while the tenant's database is converged, so the
	// background loop and a waiting request do it once.
	converging sync.Mutex

	mu        sync.Mutex
	converged string // hash of the entry last converged
	lastErr   error
	lastTry   time.Time
}

// Name is the tenant's slug.
func (t *Tenant) Name() string { return t.Entry.Tenant }

// State says whether the tenant's database is ready for requests.
func (t *Tenant) State() (ready bool, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.converged != "", t.lastErr
}

// Registry maps hosts to tenants.
type Registry struct {
	Pools *db.Pools
	Log   *slog.Logger
	// Converge brings a tenant's database to its entry; set by the server.
	Converge func(ctx context.Context, t *Tenant, d *db.DB) error
	// OnRemove is told when a tenant leaves the directory or its database
	// settings change (rotated credentials, a move): background work on the
	// old pool stops, and the next converge starts it on the new one.
	OnRemove func(name string)
	// OnDB is told each time a converged tenant's database handle is
	// handed out, so work that follows the pool (the job queue) runs
	// whenever the pool is open, including after an idle pool was closed.
	OnDB func(t *Tenant, d *db.DB)

	mu     sync.RWMutex
	byName map[string]*Tenant
	byHost map[string]*Tenant
	synced bool
	// lastRead is when a source last delivered a listing, changed or not
	// (directory freshness).
	lastRead time.Time
	kick     chan struct{}

	// decoded spares a source's listing from decoding what it decoded
	// last time (see entryCache).
	decoded entryCache
}

// NewRegistry makes an empty registry.
func NewRegistry(pools *db.Pools, log *slog.Logger) *Registry {
	return &Registry{Pools: pools, Log: log, byName: map[string]*Tenant{}, byHost: map[string]*Tenant{}, kick: make(chan struct{}, 1)}
}

// Replace makes the registry hold exactly these entries (a full listing
// from a source). Unchanged tenants keep their state and pools.
func (r *Registry) Replace(entries []*directory.Entry) {
	r.mu.Lock()
	next := map[string]*Tenant{}
	var changedDB []string
	for _, e := range entries {
		if old, ok := r.byName[e.Tenant]; ok && old.Entry == e {
			// The very entry already served (an unchanged Secret or file,
			// see entryCache): entries are never modified once decoded.
			next[e.Tenant] = old
			continue
		}
		data, err := directory.Marshal(e)
		if err != nil {
			r.Log.Error("Ignored invalid directory entry", "tenant", e.Tenant, "err", err)
			continue
		}
		hash := directory.Hash(data)
		if old, ok := r.byName[e.Tenant]; ok && old.Hash == hash {
			next[e.Tenant] = old
			continue
		}
		t := &Tenant{Entry: e, Hash: hash, convergeHash: convergeHash(e)}
		if old, ok := r.byName[e.Tenant]; ok && old.Entry.Database != e.Database {
			changedDB = append(changedDB, e.Tenant)
		}
		if old, ok := r.byName[e.Tenant]; ok {
			old.mu.Lock()
			switch {
			case old.convergeHash == t.convergeHash:
				// Only flags changed: the database is as converged as it was.
				t.converged, t.lastErr, t.lastTry = old.converged, old.lastErr, old.lastTry
			case old.converged != "":
				// Keep serving while the new version converges.
				t.converged = "stale:" + old.converged
			}
			old.mu.Unlock()
		}
		next[e.Tenant] = t
	}
	var removed []string
	for name := range r.byName {
		if _, ok := next[name]; !ok {
			removed = append(removed, name)
		}
	}
	r.byName = next
	r.byHost = map[string]*Tenant{}
	for _, t := range next {
		for _, h := range t.Entry.Hosts {
			r.byHost[h] = t
		}
	}
	r.synced = true
	r.lastRead = time.Now()
	r.mu.Unlock()
	for _, name := range changedDB {
		if r.OnRemove != nil {
			r.OnRemove(name)
		}
	}
	for _, name := range removed {
		if r.OnRemove != nil {
			r.OnRemove(name)
		}
		r.Pools.Close(name)
		r.Log.Info("Stopped serving tenant", "tenant", name)
	}
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// convergeHash hashes the entry as ConvergeDatabase reads it: without
// the feature flags and flag tokens, which requests read directly.
func convergeHash(e *directory.Entry) string {
	c := *e
	c.Features, c.FlagTokens = nil, nil
	data, err := json.Marshal(&c)
	if err != nil {
		return ""
	}
	return directory.Hash(data)
}

// ForHost finds the tenant served on a request's Host header.
func (r *Registry) ForHost(hostport string) (*Tenant, bool) {
	host := strings.ToLower(hostport)
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = strings.ToLower(h)
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	t, ok := r.byHost[strings.TrimSuffix(host, ".")]
	return t, ok
}

// Get finds a tenant by name.
func (r *Registry) Get(name string) (*Tenant, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	t, ok := r.byName[name]
	return t, ok
}

// Tenants lists the tenants, by name.
func (r *Registry) Tenants() []*Tenant {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*Tenant, 0, len(r.byName))
	for _, t := range r.byName {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out
}

// Confirm records that a source read the directory and found it
// unchanged, so it is fresh though nothing was replaced.
func (r *Registry) Confirm() {
	r.mu.Lock()
	r.lastRead = time.Now()
	r.mu.Unlock()
}

// LastSync is when a source last read the directory (zero before the first
// listing).
func (r *Registry) LastSync() time.Time {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.lastRead
}

// Synced reports whether a source has delivered its first listing.
func (r *Registry) Synced() bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.synced
}

// DB returns a tenant's database handle (its app role and system login),
// opening its pools on first use with the caller's ctx (see db.Pools.Get).
func (r *Registry) DB(ctx context.Context, t *Tenant) (*db.DB, error) {
	h, err := r.Pools.Get(ctx, t.Name(), t.Entry.Database)
	if err != nil {
		return nil, err
	}
	if ready, _ := t.State(); ready && r.OnDB != nil {
		r.OnDB(t, h)
	}
	return h, nil
}

// Run converges tenants whose entries changed, retrying failures with
// backoff, until ctx ends.
func (r *Registry) Run(ctx context.Context) {
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for {
		r.convergeAll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-r.kick:
		case <-tick.C:
		}
	}
}

func (r *Registry) convergeAll(ctx context.Context) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for _, t := range r.Tenants() {
		if !t.due(time.Now()) {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			r.convergeOne(ctx, t)
		}()
	}
	wg.Wait()
}

// due says whether a tenant needs converging now: its entry changed and
// the last failure (if any) has backed off.
func (t *Tenant) due(now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.converged == t.convergeHash {
		return false
	}
	if t.lastErr != nil && now.Sub(t.lastTry) < 10*time.Second {
		return false
	}
	return true
}

// EnsureConverged converges, on behalf of a request, a tenant this replica
// has not converged yet (bounded by ctx): the first visitor after a district
// appears must not meet "not available" just because this replica's loop
// has not reached it while another replica already has. It reports whether
// the tenant can be served.
func (r *Registry) EnsureConverged(ctx context.Context, t *Tenant) bool {
	if ready, _ := t.State(); ready {
		return true
	}
	if r.Converge != nil && t.due(time.Now()) {
		r.convergeOne(ctx, t)
	}
	ready, _ := t.State()
	return ready
}

func (r *Registry) convergeOne(ctx context.Context, t *Tenant) {
	t.converging.Lock()
	defer t.converging.Unlock()
	if !t.due(time.Now()) {
		return // done while this waited
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	start := time.Now()
	d, err := r.DB(ctx, t)
	if err == nil {
		err = r.Converge(ctx, t, d)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lastTry = time.Now()
	if err != nil {
		t.lastErr = err
		r.Log.Error("Could not converge tenant database", "tenant", t.Name(), "err", err)
		return
	}
	t.lastErr = nil
	t.converged = t.convergeHash
	r.Log.Info("Converged tenant database", "tenant", t.Name(), "hash", t.Hash, "duration", time.Since(start).Round(time.Millisecond))
}
