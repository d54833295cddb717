package db

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// SessionOpen establishes a signed-in session's context and returns the
// session's row (id_sha256, user_id, role, school_id, csrf_token,
// created_at, last_seen_at, idle_expires_at, absolute_expires_at), with the
// checks bw_session_begin makes (migration 00028). It is the statement
// BeginSession queues first; the caller reads its row with the callback it
// passes.
const SessionOpen = `SELECT id_sha256, user_id, role, school_id, csrf_token, created_at, last_seen_at,
	idle_expires_at, absolute_expires_at FROM bw_session_open($1)`

// HeldTx is a signed-in user's transaction begun before it is needed: a
// request's middleware begins it together with the session and the reads
// every page needs (one round trip), and the handler's first InTx runs in
// it instead of beginning another. It belongs to one request (one
// goroutine).
type HeldTx struct {
	d  *DB
	tx pgx.Tx
}

// BeginSession begins a transaction on the app role as the session whose
// token is given and, in the same round trip, runs reads: queries that
// need the session's context (its user, their roles), which reference the
// context through the accessors (bw_user_id(), bw_school_id()) because the
// caller does not know the session's user yet. session receives the
// session's row (the columns of SessionOpen). A session that is not live,
// or whose user no longer holds its role, is ErrForbidden, with nothing
// held; the caller reads it the slower way (as system work) to tell which.
func (d *DB) BeginSession(ctx context.Context, token string, session func(pgx.Rows) error, reads *pgx.Batch) (*HeldTx, error) {
	if token == "" {
		return nil, ErrForbidden
	}
	b := &pgx.Batch{}
	b.Queue(SessionOpen, token).Query(session)
	if reads != nil {
		b.QueuedQueries = append(b.QueuedQueries, reads.QueuedQueries...)
	}
	tx, err := beginBatch(ctx, d.app, b)
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42501" {
			return nil, ErrForbidden
		}
		if errors.Is(err, ErrUnavailable) {
			return nil, err
		}
		return nil, fmt.Errorf("begin session: %w", err)
	}
	return &HeldTx{d: d, tx: tx}, nil
}

// InTx runs fn in the held transaction acting for actor (the session's,
// which the transaction's context already is) and ends it: it commits when
// fn returns nil and rolls back otherwise, as DB.InTx does. A HeldTx runs
// one InTx; after it (or Release) the transaction is gone.
func (h *HeldTx) InTx(ctx context.Context, actor Actor, fn func(s *Scope) error) error {
	if h == nil || h.tx == nil {
		return pgx.ErrTxClosed
	}
	tx := h.tx
	h.tx = nil
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if err := fn(&Scope{Tx: tx, Actor: actor, Tenant: h.d.Tenant}); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Release rolls back a held transaction nothing used (it only read), and
// returns its connection. It does nothing after InTx.
func (h *HeldTx) Release(ctx context.Context) {
	if h == nil || h.tx == nil {
		return
	}
	_ = h.tx.Rollback(context.WithoutCancel(ctx))
	h.tx = nil
}
