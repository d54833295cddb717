package db

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// beginWithSession starts a transaction and establishes the session's
// context in one round trip instead of two: BEGIN and the bw_session_begin
// call are sent as one pipelined batch, the token still a bound parameter.
// (Writing the token into a simple-protocol "BEGIN; SELECT …" would save
// the same round trip but put live tokens into pg_stat_activity, which
// SQL run as the app role can read for its role's other connections.) The
// context call is the same function as before, so nothing about who may
// establish a context changes.
//
// A refused session leaves the connection in an aborted transaction; it is
// rolled back before the connection returns to the pool, so the pool keeps
// it instead of reconnecting.
func beginWithSession(ctx context.Context, pool *pgxpool.Pool, token string) (pgx.Tx, error) {
	b := &pgx.Batch{}
	b.Queue(sessionBegin, token)
	return beginBatch(ctx, pool, b)
}

// beginBatch starts a transaction and runs b in it, BEGIN and b's queries
// sent as one pipelined batch (b's callbacks read their results). Its
// first query establishes the context; when any query fails, the
// transaction is rolled back and the connection returned, and the error is
// the database's (or ErrUnavailable).
func beginBatch(ctx context.Context, pool *pgxpool.Pool, b *pgx.Batch) (pgx.Tx, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	full := &pgx.Batch{}
	full.Queue("BEGIN")
	for _, q := range b.QueuedQueries {
		q := *q
		if fn := q.Fn; fn != nil { // the caller's own errors are not the database's
			q.Fn = func(br pgx.BatchResults) error {
				if err := fn(br); err != nil {
					return callbackError{err}
				}
				return nil
			}
		}
		full.QueuedQueries = append(full.QueuedQueries, &q)
	}
	err = conn.SendBatch(ctx, full).Close()
	if err != nil {
		_, _ = conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
		conn.Release()
		var pgErr *pgconn.PgError
		var cbErr callbackError
		switch {
		case errors.As(err, &pgErr):
			return nil, err
		case errors.As(err, &cbErr):
			return nil, cbErr.err
		}
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return &pipelinedTx{conn: conn, c: conn.Conn()}, nil
}

// callbackError marks an error a batch's callback returned.
type callbackError struct{ err error }

func (e callbackError) Error() string { return e.err.Error() }
func (e callbackError) Unwrap() error { return e.err }

// pipelinedTx is a transaction begun by a batch on a connection acquired
// from a pool (pgx builds its own Tx only around a BEGIN of its own).
// Ending it returns the connection; a connection not back to idle (a failed
// rollback) is closed by the pool rather than reused. It supports what the
// storage packages use: queries, batches, COPY and savepoints (Begin); not
// large objects.
type pipelinedTx struct {
	conn   *pgxpool.Conn
	c      *pgx.Conn
	closed bool
	depth  int // savepoints opened, to name the next one
}

var _ pgx.Tx = (*pipelinedTx)(nil)

func (t *pipelinedTx) Begin(ctx context.Context) (pgx.Tx, error) {
	if t.closed {
		return nil, pgx.ErrTxClosed
	}
	t.depth++
	sp := &savepoint{tx: t, name: fmt.Sprintf("bw_sp_%d", t.depth)}
	if _, err := t.c.Exec(ctx, "SAVEPOINT "+sp.name); err != nil {
		return nil, err
	}
	return sp, nil
}

func (t *pipelinedTx) Commit(ctx context.Context) error {
	if t.closed {
		return pgx.ErrTxClosed
	}
	tag, err := t.c.Exec(ctx, "COMMIT")
	t.end()
	if err != nil {
		return err
	}
	if tag.String() == "ROLLBACK" {
		return pgx.ErrTxCommitRollback
	}
	return nil
}

func (t *pipelinedTx) Rollback(ctx context.Context) error {
	if t.closed {
		return pgx.ErrTxClosed
	}
	_, err := t.c.Exec(ctx, "ROLLBACK")
	t.end()
	return err
}

func (t *pipelinedTx) end() {
	t.closed = true
	t.conn.Release()
}

func (t *pipelinedTx) CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error) {
	if t.closed {
		return 0, pgx.ErrTxClosed
	}
	return t.c.CopyFrom(ctx, table, cols, src)
}

func (t *pipelinedTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	return t.c.SendBatch(ctx, b)
}

// LargeObjects is not supported: pgx.LargeObjects can only be made by pgx's
// own transactions, and the LMS stores no large objects.
func (t *pipelinedTx) LargeObjects() pgx.LargeObjects {
	panic("db: large objects are not supported in a session transaction")
}

func (t *pipelinedTx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	if t.closed {
		return nil, pgx.ErrTxClosed
	}
	return t.c.Prepare(ctx, name, sql)
}

func (t *pipelinedTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if t.closed {
		return pgconn.CommandTag{}, pgx.ErrTxClosed
	}
	return t.c.Exec(ctx, sql, args...)
}

func (t *pipelinedTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if t.closed {
		return nil, pgx.ErrTxClosed
	}
	return t.c.Query(ctx, sql, args...)
}

func (t *pipelinedTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return t.c.QueryRow(ctx, sql, args...)
}

func (t *pipelinedTx) Conn() *pgx.Conn { return t.c }

// savepoint is a nested transaction inside a pipelinedTx, as pgx's own
// nested transactions are: Commit releases the savepoint, Rollback rolls
// back to it.
type savepoint struct {
	tx     *pipelinedTx
	name   string
	closed bool
}

func (s *savepoint) Begin(ctx context.Context) (pgx.Tx, error) {
	if s.closed {
		return nil, pgx.ErrTxClosed
	}
	return s.tx.Begin(ctx)
}

func (s *savepoint) Commit(ctx context.Context) error {
	if s.closed {
		return pgx.ErrTxClosed
	}
	s.closed = true
	_, err := s.tx.Exec(ctx, "RELEASE SAVEPOINT "+s.name)
	return err
}

func (s *savepoint) Rollback(ctx context.Context) error {
	if s.closed {
		return pgx.ErrTxClosed
	}
	s.closed = true
	_, err := s.tx.Exec(ctx, "ROLLBACK TO SAVEPOINT "+s.name)
	return err
}

func (s *savepoint) CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error) {
	return s.tx.CopyFrom(ctx, table, cols, src)
}

func (s *savepoint) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	return s.tx.SendBatch(ctx, b)
}

func (s *savepoint) LargeObjects() pgx.LargeObjects { return s.tx.LargeObjects() }

func (s *savepoint) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	return s.tx.Prepare(ctx, name, sql)
}

func (s *savepoint) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return s.tx.Exec(ctx, sql, args...)
}

func (s *savepoint) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return s.tx.Query(ctx, sql, args...)
}

func (s *savepoint) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return s.tx.QueryRow(ctx, sql, args...)
}

func (s *savepoint) Conn() *pgx.Conn { return s.tx.c }
