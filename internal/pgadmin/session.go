package pgadmin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"bellwork.dev/bellwork/pkg/directory"
)

// ApplicationName marks the operator's own sessions in pg_stat_activity.
const ApplicationName = "bellwork-operator"

// Target is one database on one server, as one user.
type Target struct {
	Host     string
	Port     int
	Database string
	User     string
	Password string
	SSLMode  string
	// Reuse keeps connections in a small pool for later callers. Use it for
	// the admin's maintenance database, which every pass of every tenant on
	// a server needs; tenant databases get a connection of their own that
	// Close ends, so thousands of tenants never hold thousands of connections.
	Reuse bool
}

// Address is host:port.
func (t Target) Address() string { return net.JoinHostPort(t.Host, strconv.Itoa(t.Port)) }

func (t Target) url() string {
	ssl := t.SSLMode
	if ssl == "" {
		ssl = "prefer"
	}
	u := url.URL{Scheme: "postgres", User: url.UserPassword(t.User, t.Password), Host: t.Address(),
		Path: "/" + t.Database, RawQuery: url.Values{"sslmode": {ssl}}.Encode()}
	return u.String()
}

func (t Target) poolKey() string {
	sum := sha256.Sum256([]byte(t.Password))
	return fmt.Sprintf("%s/%s/%s/%s/%s", t.Address(), t.Database, t.User, t.SSLMode, hex.EncodeToString(sum[:8]))
}

// Session is one connection to one database. Exec is the only call that
// changes the server; Query, QueryRow and ReadStatus only read.
type Session interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) error
	// ReadStatus reads the LMS's operator_status table (see package directory).
	ReadStatus(ctx context.Context) (*directory.Status, error)
	Close(ctx context.Context)
}

// Connector opens Sessions.
type Connector interface {
	Open(ctx context.Context, t Target) (Session, error)
}

// Dialer is the Connector that talks to real servers.
type Dialer struct {
	// ConnectTimeout bounds each connection attempt.
	ConnectTimeout time.Duration
	// MaxConns bounds the pooled connections per Reuse target. A pass
	// holds its maintenance session from start to end, so this caps how
	// many passes on one server run at once: give it the worker count.
	MaxConns int32

	mu    sync.Mutex
	pools map[string]*pgxpool.Pool
}

// NewDialer returns a Dialer with sensible timeouts.
func NewDialer() *Dialer {
	return &Dialer{ConnectTimeout: 10 * time.Second, MaxConns: 4, pools: map[string]*pgxpool.Pool{}}
}

func (d *Dialer) config(t Target) (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(t.url())
	if err != nil {
		return nil, fmt.Errorf("connection settings for %s: %w", t.Address(), err)
	}
	cfg.ConnectTimeout = d.ConnectTimeout
	cfg.RuntimeParams["application_name"] = ApplicationName
	// A statement waiting on a lock (a DROP waiting for the LMS, say) gives
	// up rather than holding the reconcile worker forever.
	cfg.RuntimeParams["lock_timeout"] = "10s"
	cfg.RuntimeParams["statement_timeout"] = "60s"
	return cfg, nil
}

// Open connects to t.
func (d *Dialer) Open(ctx context.Context, t Target) (Session, error) {
	if t.Reuse {
		pool, err := d.pool(ctx, t)
		if err != nil {
			return nil, err
		}
		conn, err := pool.Acquire(ctx)
		if err != nil {
			return nil, fmt.Errorf("connect to %s as %s: %w", t.Address(), t.User, err)
		}
		return &pooledSession{conn: conn}, nil
	}
	cfg, err := d.config(t)
	if err != nil {
		return nil, err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to %s/%s as %s: %w", t.Address(), t.Database, t.User, err)
	}
	return &connSession{conn: conn}, nil
}

func (d *Dialer) pool(ctx context.Context, t Target) (*pgxpool.Pool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	key := t.poolKey()
	if p, ok := d.pools[key]; ok {
		return p, nil
	}
	connCfg, err := d.config(t)
	if err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig("")
	if err != nil {
		return nil, err
	}
	cfg.ConnConfig = connCfg
	cfg.MaxConns = max(d.MaxConns, 1)
	cfg.MinConns = 0
	cfg.MaxConnIdleTime = time.Minute
	cfg.HealthCheckPeriod = 30 * time.Second
	p, err := pgxpool.NewWithConfig(context.WithoutCancel(ctx), cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to %s as %s: %w", t.Address(), t.User, err)
	}
	d.pools[key] = p
	return p, nil
}

// Close ends every pooled connection.
func (d *Dialer) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for k, p := range d.pools {
		// Close waits for connections in use; a session a cancelled
		// reconcile has not released yet must not hold up shutdown.
		done := make(chan struct{})
		go func() { p.Close(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
		delete(d.pools, k)
	}
}

type connSession struct{ conn *pgx.Conn }

func (s *connSession) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return s.conn.Query(ctx, sql, args...)
}
func (s *connSession) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return s.conn.QueryRow(ctx, sql, args...)
}
func (s *connSession) Exec(ctx context.Context, sql string, args ...any) error {
	_, err := s.conn.Exec(ctx, sql, args...)
	return err
}
func (s *connSession) ReadStatus(ctx context.Context) (*directory.Status, error) {
	return directory.ReadStatus(ctx, s.conn)
}
func (s *connSession) Close(ctx context.Context) {
	closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = s.conn.Close(closeCtx)
}

type pooledSession struct{ conn *pgxpool.Conn }

func (s *pooledSession) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return s.conn.Query(ctx, sql, args...)
}
func (s *pooledSession) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return s.conn.QueryRow(ctx, sql, args...)
}
func (s *pooledSession) Exec(ctx context.Context, sql string, args ...any) error {
	_, err := s.conn.Exec(ctx, sql, args...)
	return err
}
func (s *pooledSession) ReadStatus(ctx context.Context) (*directory.Status, error) {
	return directory.ReadStatus(ctx, s.conn.Conn())
}
func (s *pooledSession) Close(context.Context) {
	// The pool drops a connection left busy or inside a transaction (a
	// reconcile cancelled mid-statement) instead of handing it on.
	s.conn.Release()
}
