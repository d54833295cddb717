package db

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DB is one tenant's database, reached through the app role.
type DB struct {
	Tenant string
	pool   *pgxpool.Pool
}

// Scope is a transaction acting for one actor in one tenant database.
// Storage functions take a Scope; there is no way to query without one.
type Scope struct {
	Tx     pgx.Tx
	Actor  Actor
	Tenant string
}

// ErrForbidden is returned when the database refuses the actor's role
// (the user does not hold it, or is deactivated).
var ErrForbidden = errors.New("the acting user does not hold this role")

// ErrUnavailable wraps failures to reach the tenant database.
var ErrUnavailable = errors.New("tenant database unavailable")

// InTx runs fn in a transaction acting for actor; it commits when fn returns
// nil and rolls back otherwise.
func (d *DB) InTx(ctx context.Context, actor Actor, fn func(s *Scope) error) error {
	tx, err := d.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := tx.Exec(ctx, "SELECT bw_begin($1, $2, $3)", nullable(actor.UserID), string(actor.Role), nullable(actor.SchoolID)); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42501" {
			return ErrForbidden
		}
		return fmt.Errorf("begin as %s: %w", actor.Role, err)
	}
	if err := fn(&Scope{Tx: tx, Actor: actor, Tenant: d.Tenant}); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.pool.Ping(ctx); err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return nil
}

// Stat reports pool statistics.
func (d *DB) Stat() *pgxpool.Stat { return d.pool.Stat() }

// Pool exposes the pool for the job queue's driver, which manages its own
// transactions; everything else goes through InTx.
func (d *DB) Pool() *pgxpool.Pool { return d.pool }
