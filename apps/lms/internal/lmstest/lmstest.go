// Package lmstest gives LMS tests real tenant databases: one throwaway
// Postgres server per test binary (internal/dev/pgserver, password auth on), and
// per test a database with the roles the operator provisions (owner, an app
// group and its login, readonly), migrated to the current schema.
package lmstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/devdb"
	"bellwork.dev/bellwork/apps/lms/internal/migrations"
	"bellwork.dev/bellwork/internal/dev/pgbouncer"
	"bellwork.dev/bellwork/internal/dev/pgserver"
	"bellwork.dev/bellwork/pkg/directory"
)

// Server is the package's Postgres server, started by Main.
var Server *pgserver.Server

// Main runs a package's tests with a Postgres server; use it in TestMain.
func Main(m *testing.M) {
	srv, err := pgserver.Start(context.Background(), pgserver.Options{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "lmstest: %v\n", err)
		os.Exit(1)
	}
	Server = srv
	code := m.Run()
	if bouncer != nil {
		bouncer.Stop()
	}
	_ = srv.Stop()
	os.Exit(code)
}

var counter atomic.Int64

// TenantDB provisions and migrates a fresh tenant database and returns its
// directory connection settings.
func TenantDB(t testing.TB) directory.Database {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("t%d_%s", counter.Add(1), randomHex(3))
	d, err := Provision(ctx, Server, name)
	if err != nil {
		t.Fatal(err)
	}
	// A fresh database gets every migration, so tests run with the
	// contract ones applied, as production does after a rollout.
	if _, err := migrations.Run(ctx, d.OwnerURL(), migrations.Expand, nil); err != nil {
		t.Fatal(err)
	}
	return d
}

// Provision creates a database and its roles the way the operator does.
func Provision(ctx context.Context, srv *pgserver.Server, name string) (directory.Database, error) {
	return devdb.Provision(ctx, srv.AdminURL("postgres"), srv.AdminURL, srv.Host, srv.Port, name, ReadonlyPassword)
}

// ReadonlyPassword is the readonly role's password in test databases.
const ReadonlyPassword = "readonly-test-password"

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

var (
	bouncerOnce sync.Once
	bouncer     *pgbouncer.Bouncer
	bouncerErr  error
)

// bouncerPassword is the auth-query login's password in test clusters.
const bouncerPassword = "pgbouncer-test-password"

// ThroughPgBouncer puts tenant database d behind the package's PgBouncer
// (started on first use, stopped by Main): transaction pooling with one
// server connection per login, passwords checked with the auth query the
// operator installs. It returns d with Host and Port pointing at the
// pooler; DirectHost and DirectPort still reach the server, as in
// production, so the LMS opens its pools in its pooler mode.
func ThroughPgBouncer(t testing.TB, d directory.Database) directory.Database {
	t.Helper()
	ctx := context.Background()
	bouncerOnce.Do(func() {
		bouncer, bouncerErr = pgbouncer.Start(ctx, pgbouncer.Options{ServerHost: Server.Host, ServerPort: Server.Port,
			PoolSize: 1, AuthPassword: bouncerPassword})
	})
	if bouncerErr != nil {
		t.Fatal(bouncerErr)
	}
	if err := pgbouncer.EnableAuthQuery(ctx, Server.AdminURL, d.Name, bouncerPassword); err != nil {
		t.Fatal(err)
	}
	d.Host, d.Port = bouncer.Host, bouncer.Port
	return d
}

// BouncerLog is what the package's PgBouncer logged, for failure messages.
func BouncerLog() string {
	if bouncer == nil {
		return ""
	}
	return bouncer.Log()
}

// BackupURL creates the tenant's backup role as the operator provisions it
// (LOGIN, BYPASSRLS so a dump holds every row, SELECT on everything) and
// returns its connection URL.
func BackupURL(t testing.TB, d directory.Database) string {
	t.Helper()
	ctx := context.Background()
	role, password := d.Name+"_backup", randomHex(12)
	conn, err := pgx.Connect(ctx, Server.AdminURL(d.Name))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	id := pgx.Identifier{role}.Sanitize()
	stmts := []string{
		fmt.Sprintf("CREATE ROLE %s LOGIN BYPASSRLS PASSWORD '%s'", id, password),
		fmt.Sprintf("GRANT CONNECT ON DATABASE %s TO %s", pgx.Identifier{d.Name}.Sanitize(), id),
	}
	rows, err := conn.Query(ctx, `SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema'`)
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range schemas {
		s = pgx.Identifier{s}.Sanitize()
		stmts = append(stmts,
			fmt.Sprintf("GRANT USAGE ON SCHEMA %s TO %s", s, id),
			fmt.Sprintf("GRANT SELECT ON ALL TABLES IN SCHEMA %s TO %s", s, id),
			fmt.Sprintf("GRANT SELECT ON ALL SEQUENCES IN SCHEMA %s TO %s", s, id))
	}
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", strings.SplitN(s, " PASSWORD", 2)[0], err)
		}
	}
	return Server.URL(d.Name, role, password)
}
