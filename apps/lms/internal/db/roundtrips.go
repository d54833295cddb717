package db

import (
	"context"
	"sync"

	"github.com/jackc/pgx/v5"
)

// RoundTrips counts, through pgx's tracer hooks, the round trips and
// statements the pools it is installed in (Pools.Tracer) send for the
// contexts Count accepts: a Query, QueryRow or Exec (BEGIN and COMMIT
// included) is one round trip and one statement; a batch is one round trip
// and one statement per query in it. The statement-description round trips
// pgx makes once per connection and statement are not counted: they do not
// recur per request. Tests use it to show a request's round trips cannot
// grow; the benchmark prints them.
type RoundTrips struct {
	// Count, when set, says which calls to count (the rest are ignored):
	// a test counts only requests, not the job queue's polling.
	Count func(ctx context.Context) bool

	mu         sync.Mutex
	trips      int
	statements int
	sql        []Statement
}

// Statement is one statement a counted call sent, with the connection it
// went on (to tell which transaction it ran in).
type Statement struct {
	SQL  string
	Args []any
	Conn *pgx.Conn
}

var (
	_ pgx.QueryTracer = (*RoundTrips)(nil)
	_ pgx.BatchTracer = (*RoundTrips)(nil)
)

func (r *RoundTrips) counts(ctx context.Context) bool { return r.Count == nil || r.Count(ctx) }

func (r *RoundTrips) TraceQueryStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	if r.counts(ctx) {
		r.mu.Lock()
		r.trips++
		r.statements++
		r.sql = append(r.sql, Statement{SQL: data.SQL, Args: data.Args, Conn: conn})
		r.mu.Unlock()
	}
	return ctx
}

func (r *RoundTrips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (r *RoundTrips) TraceBatchStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceBatchStartData) context.Context {
	if r.counts(ctx) {
		r.mu.Lock()
		r.trips++
		for _, q := range data.Batch.QueuedQueries {
			r.statements++
			r.sql = append(r.sql, Statement{SQL: q.SQL, Args: q.Arguments, Conn: conn})
		}
		r.mu.Unlock()
	}
	return ctx
}

func (r *RoundTrips) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (r *RoundTrips) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

// Take returns the round trips, statements and their SQL counted since the
// last Take, and starts again from zero.
func (r *RoundTrips) Take() (trips, statements int, sql []Statement) {
	r.mu.Lock()
	defer r.mu.Unlock()
	trips, statements, sql = r.trips, r.statements, r.sql
	r.trips, r.statements, r.sql = 0, 0, nil
	return trips, statements, sql
}
