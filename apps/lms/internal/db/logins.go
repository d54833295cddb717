package db

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/pkg/directory"
)

// loginCheckApplication names the check's connections in pg_stat_activity.
const loginCheckApplication = "bellwork-lms-health"

// loginChecks are the connection settings CheckLogins dials: the app role
// and the system login, directly to the server.
func loginChecks(tenant string, d directory.Database) ([]*pgx.ConnConfig, error) {
	var out []*pgx.ConnConfig
	for _, url := range []string{d.AppDirectURL(), d.SystemDirectURL()} {
		cfg, err := pgx.ParseConfig(url)
		if err != nil {
			return nil, fmt.Errorf("tenant %s: parse database URL: %w", tenant, err)
		}
		cfg.ConnectTimeout = 5 * time.Second
		cfg.RuntimeParams["application_name"] = loginCheckApplication
		out = append(out, cfg)
	}
	return out, nil
}

// CheckLogins opens one new connection as each of the LMS's logins (the
// app role, then the system login), directly to the server, runs SELECT 1
// and closes it. Ping cannot tell that a database has stopped letting the
// LMS in: Postgres keeps sessions it already accepted when a login loses
// LOGIN or CONNECT or the database's connection limit drops to 0, and the
// pools reuse those sessions, so their round trips keep answering while
// every new connection (a restarted replica, a pool growing under load) is
// refused. A pooler is skipped for the same reason: it may reuse server
// connections and answer for a login the server refuses. ctx bounds the
// whole check.
func (d *DB) CheckLogins(ctx context.Context) error {
	for _, cfg := range d.logins {
		conn, err := pgx.ConnectConfig(ctx, cfg.Copy())
		if err == nil {
			_, err = conn.Exec(ctx, "SELECT 1")
			_ = conn.Close(context.WithoutCancel(ctx))
		}
		if err != nil {
			return fmt.Errorf("%w: a new connection as %s: %w", ErrUnavailable, cfg.User, err)
		}
	}
	return nil
}
