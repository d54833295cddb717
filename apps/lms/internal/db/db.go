package db

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DB is one tenant's database, reached through two logins: the app role,
// for requests acting for a signed-in user, and the system login, for the
// LMS's own work. Row-level security tells them apart by login, so SQL run
// through the app role cannot claim system work (see docs/lms.md,
// "Row-level security").
type DB struct {
	Tenant string
	app    *pgxpool.Pool
	system *pgxpool.Pool
	// logins are the app role's and the system login's direct connection
	// settings, for CheckLogins.
	logins []*pgx.ConnConfig
}

// Scope is a transaction acting for one actor in one tenant database.
// Storage functions take a Scope; there is no way to query without one.
type Scope struct {
	Tx     pgx.Tx
	Actor  Actor
	Tenant string
}

// ErrForbidden is returned when the database refuses the actor: the
// session is not live, or its user does not hold the role (any more).
var ErrForbidden = errors.New("the acting user does not hold this role")

// ErrUnavailable wraps failures to reach the tenant database.
var ErrUnavailable = errors.New("tenant database unavailable")

// errNoContext is a programming error: a user actor with neither a session
// nor leave to be acted for.
var errNoContext = errors.New("an actor needs a session token, or OnBehalf for system work acting for a user")

// InTx runs fn in a transaction acting for actor; it commits when fn returns
// nil and rolls back otherwise. System work runs on the system login; a
// user with a session on the app role, in the context the database derives
// from that session; a user acted for by system work (OnBehalf) on the
// system login narrowed to that user's context.
func (d *DB) InTx(ctx context.Context, actor Actor, fn func(s *Scope) error) error {
	switch {
	case actor.Role == "":
		return ErrForbidden // signed out, or holding no role: no context to act in
	case actor.Role == System:
		return d.run(ctx, d.system, actor, "", nil, fn)
	case actor.Session != "":
		return d.run(ctx, d.app, actor, sessionBegin, []any{actor.Session}, fn)
	case actor.OnBehalf:
		return d.run(ctx, d.system, actor, "SELECT bw_act_as($1, $2, $3)",
			[]any{nullable(actor.UserID), string(actor.Role), nullable(actor.SchoolID)}, fn)
	}
	return errNoContext
}

// InTxQueueing is InTx for a request that also queues background work: it
// runs on the system login (only it may write the job queue) narrowed to
// the session's user context, so the user's own changes are still limited
// to what they may change, and the job commits with them.
func (d *DB) InTxQueueing(ctx context.Context, actor Actor, fn func(s *Scope) error) error {
	if actor.Session == "" {
		return errNoContext
	}
	return d.run(ctx, d.system, actor, sessionBegin, []any{actor.Session}, fn)
}

func (d *DB) run(ctx context.Context, pool *pgxpool.Pool, actor Actor, begin string, args []any, fn func(s *Scope) error) error {
	var tx pgx.Tx
	var err error
	if begin == sessionBegin {
		if tx, err = beginWithSession(ctx, pool, actor.Session); err != nil {
			return beginError(actor, err)
		}
	} else if tx, err = pool.Begin(ctx); err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if begin != "" && begin != sessionBegin {
		if _, err := tx.Exec(ctx, begin, args...); err != nil {
			return beginError(actor, err)
		}
	}
	if err := fn(&Scope{Tx: tx, Actor: actor, Tenant: d.Tenant}); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// sessionBegin establishes a signed-in user's context (run combines it
// with BEGIN where it can: beginWithSession).
const sessionBegin = "SELECT bw_session_begin($1)"

// beginError turns a refused context into ErrForbidden.
func beginError(actor Actor, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42501" {
		return ErrForbidden
	}
	if errors.Is(err, ErrUnavailable) {
		return err
	}
	return fmt.Errorf("begin as %s: %w", actor.Role, err)
}

// Ping checks that the database answers a round trip over a pooled
// connection (see CheckLogins for whether it still lets the LMS in).
func (d *DB) Ping(ctx context.Context) error {
	if err := d.app.Ping(ctx); err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return nil
}

// Stat reports the request (app role) pool's statistics.
func (d *DB) Stat() *pgxpool.Stat { return d.app.Stat() }

// Pool exposes the system login's pool for the job queue's driver, which
// manages its own transactions; everything else goes through InTx.
func (d *DB) Pool() *pgxpool.Pool { return d.system }

func (d *DB) acquired() int32 { return d.app.Stat().AcquiredConns() + d.system.Stat().AcquiredConns() }

func (d *DB) close() {
	d.app.Close()
	d.system.Close()
}
