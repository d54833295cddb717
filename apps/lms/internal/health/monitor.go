// Package health samples each district's health inside one LMS process:
// its database (whether new connections are let in, round-trip time), its
// connection pool's saturation, its job queue (depth, oldest waiting job),
// and the process's own file storage (can a file be written) and how
// fresh its tenant directory is. Every minute it samples the districts
// whose pool this process has open (a probe must neither open a connection
// to every district nor keep idle pools alive), keeps the last 24 hours in
// a bounded ring per district for the admins' /admin/health page, and
// exports the latest values as Prometheus series: labelled by tenant where
// they are a district's, unlabelled where they are the process's (storage,
// directory).
package health

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"sync"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/storage"
	"bellwork.dev/bellwork/apps/lms/internal/tenancy"
)

// Window is how much history a district keeps.
const Window = 24 * time.Hour

// DefaultEvery is how often the monitor samples.
const DefaultEvery = time.Minute

// probesAtOnce bounds how many districts are probed at the same time: each
// probe opens new connections (CheckLogins), and a process with many open
// pools must not open that many connections at once.
const probesAtOnce = 8

// Point is one sample of one district. Values not measured (the database
// did not answer, so the queue could not be read) are NaN.
type Point struct {
	At time.Time
	// DatabaseUp is whether the database let new connections in as the
	// LMS's logins (db.CheckLogins) and a pooled SELECT 1 answered, all
	// within the timeout.
	DatabaseUp bool
	// DatabaseSeconds is the pooled SELECT 1's round trip; NaN when the
	// database is not up.
	DatabaseSeconds float64
	// PoolSaturation is the share of the request pool's connections in use (0–1).
	PoolSaturation float64
	// JobsQueued counts jobs ready to run that no worker has taken yet.
	JobsQueued float64
	// JobsOldestSeconds is how long the oldest of those has waited (0 when none).
	JobsOldestSeconds float64
	// DirectorySeconds is the time since the tenant directory was last read.
	DirectorySeconds float64
	// StorageUp is 1 when the process's file storage took a small file
	// (written and removed) within the timeout, 0 when not, NaN when the
	// process has no file storage.
	StorageUp float64
	// StorageSeconds is how long that write and removal took; NaN unless
	// StorageUp is 1.
	StorageSeconds float64
}

// storageSample is the latest storage probe, exported unlabelled.
type storageSample struct{ Up, Seconds float64 }

// Monitor samples the registry's districts and keeps their history.
type Monitor struct {
	Registry *tenancy.Registry
	Now      func() time.Time
	// Every is the sampling period (DefaultEvery when zero).
	Every time.Duration
	// Timeout bounds each district's probe and the storage probe (3 s
	// when zero).
	Timeout time.Duration
	// Log, when set, says why a storage probe failed.
	Log *slog.Logger

	mu      sync.Mutex
	files   storage.Store
	rings   map[string]*ring
	latest  map[string]Point
	storage *storageSample
	maxKeep int
}

// WatchFiles makes the monitor probe st, the store the process keeps
// uploaded files in (nil: none, and no storage series).
func (m *Monitor) WatchFiles(st storage.Store) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.files = st
}

// NewMonitor makes a monitor over reg's districts.
func NewMonitor(reg *tenancy.Registry, now func() time.Time) *Monitor {
	return &Monitor{Registry: reg, Now: now, rings: map[string]*ring{}, latest: map[string]Point{}}
}

func (m *Monitor) every() time.Duration {
	if m.Every > 0 {
		return m.Every
	}
	return DefaultEvery
}

// capacity is how many points cover Window at the sampling period.
func (m *Monitor) capacity() int { return int(Window/m.every()) + 1 }

// Run samples now and then every period until ctx ends.
func (m *Monitor) Run(ctx context.Context) {
	tick := time.NewTicker(m.every())
	defer tick.Stop()
	for {
		m.Sample(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Sample measures every district whose pool is open, a few at a time,
// and the file storage once, and records the points. Districts that left
// the directory lose their history.
func (m *Monitor) Sample(ctx context.Context) {
	now := m.Now()
	tenants := m.Registry.Tenants()
	points := make([]*Point, len(tenants))
	var wg sync.WaitGroup
	var storageUp, storageSeconds float64
	wg.Go(func() { storageUp, storageSeconds = m.probeStorage(ctx) })
	slots := make(chan struct{}, probesAtOnce)
	for i, t := range tenants {
		d, open := m.Registry.Pools.Peek(t.Name())
		if !open {
			continue
		}
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			p := m.measureDatabase(ctx, d, now)
			points[i] = &p
		})
	}
	wg.Wait()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.storage = nil
	if m.files != nil {
		m.storage = &storageSample{Up: storageUp, Seconds: storageSeconds}
	}
	keep := map[string]bool{}
	for i, t := range tenants {
		keep[t.Name()] = true
		if points[i] == nil {
			continue
		}
		points[i].StorageUp, points[i].StorageSeconds = storageUp, storageSeconds
		r, ok := m.rings[t.Name()]
		if !ok {
			r = newRing(m.capacity())
			m.rings[t.Name()] = r
		}
		r.add(*points[i])
		m.latest[t.Name()] = *points[i]
	}
	for name := range m.rings {
		if !keep[name] {
			delete(m.rings, name)
			delete(m.latest, name)
		}
	}
	// A district whose pool closed (idle) stops being exported: its last
	// values would otherwise look current.
	for name, p := range m.latest {
		if now.Sub(p.At) > 2*m.every() {
			delete(m.latest, name)
		}
	}
}

// Measure probes one district's database and the file storage now. It
// records nothing.
func (m *Monitor) Measure(ctx context.Context, d *db.DB, now time.Time) Point {
	var storageUp, storageSeconds float64
	var wg sync.WaitGroup
	wg.Go(func() { storageUp, storageSeconds = m.probeStorage(ctx) })
	p := m.measureDatabase(ctx, d, now)
	wg.Wait()
	p.StorageUp, p.StorageSeconds = storageUp, storageSeconds
	return p
}

// probeStorage writes and removes a small file in the file storage
// (storage.Store's Probe), bounded by the timeout: 1 and how long it took,
// 0 when it failed (logged with the cause), NaN without a store.
func (m *Monitor) probeStorage(ctx context.Context) (up, seconds float64) {
	m.mu.Lock()
	st := m.files
	m.mu.Unlock()
	if st == nil {
		return math.NaN(), math.NaN()
	}
	ctx, cancel := context.WithTimeout(ctx, m.timeout())
	defer cancel()
	start := time.Now()
	if err := st.Probe(ctx); err != nil {
		if m.Log != nil {
			m.Log.Warn("File storage probe failed", "store", st.String(), "error", err.Error())
		}
		return 0, math.NaN()
	}
	return 1, time.Since(start).Seconds()
}

func (m *Monitor) timeout() time.Duration {
	if m.Timeout > 0 {
		return m.Timeout
	}
	return 3 * time.Second
}

// measureDatabase probes one district's database: whether it lets the
// LMS's logins in, a pooled round trip, the pool's saturation and the job
// queue.
func (m *Monitor) measureDatabase(ctx context.Context, d *db.DB, now time.Time) Point {
	ctx, cancel := context.WithTimeout(ctx, m.timeout())
	defer cancel()
	p := Point{At: now, DatabaseSeconds: math.NaN(), JobsQueued: math.NaN(), JobsOldestSeconds: math.NaN(),
		DirectorySeconds: max(0, now.Sub(m.Registry.LastSync()).Seconds())}
	if st := d.Stat(); st.MaxConns() > 0 {
		p.PoolSaturation = float64(st.AcquiredConns()) / float64(st.MaxConns())
	}
	if err := d.CheckLogins(ctx); err != nil {
		return p
	}
	start := time.Now()
	if err := d.Ping(ctx); err != nil {
		return p
	}
	p.DatabaseUp, p.DatabaseSeconds = true, time.Since(start).Seconds()
	if queued, oldest, err := queue(ctx, d); err == nil {
		p.JobsQueued, p.JobsOldestSeconds = queued, oldest
	}
	return p
}

// queue reads the district's job queue (River's table, through the
// system login the queue itself uses): jobs ready to run and how long
// the oldest has waited.
func queue(ctx context.Context, d *db.DB) (queued, oldest float64, err error) {
	err = d.Pool().QueryRow(ctx, `SELECT count(*)::float8,
		COALESCE(EXTRACT(EPOCH FROM now() - min(scheduled_at)), 0)::float8
		FROM river_job WHERE state = 'available' AND scheduled_at <= now()`).Scan(&queued, &oldest)
	if err != nil {
		return 0, 0, errors.Join(errors.New("read the job queue"), err)
	}
	return queued, oldest, nil
}

// History is a district's points of the last Window before now, oldest first.
func (m *Monitor) History(tenant string) []Point {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.rings[tenant]
	if !ok {
		return nil
	}
	since := m.Now().Add(-Window)
	var out []Point
	for _, p := range r.points() {
		if !p.At.Before(since) {
			out = append(out, p)
		}
	}
	return out
}

// latestPoints copies the points the collector exports, and the latest
// storage probe (nil before the first, or without a store).
func (m *Monitor) latestPoints() (map[string]Point, *storageSample) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]Point, len(m.latest))
	for k, v := range m.latest {
		out[k] = v
	}
	var st *storageSample
	if m.storage != nil {
		copied := *m.storage
		st = &copied
	}
	return out, st
}
