// Package lmstest gives LMS tests real tenant databases: one throwaway
// Postgres server per test binary (internal/pgserver, password auth on), and
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
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/migrations"
	"bellwork.dev/bellwork/internal/pgserver"
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
	if _, err := migrations.Run(ctx, d.OwnerURL(), migrations.Expand, nil); err != nil {
		t.Fatal(err)
	}
	return d
}

// Provision creates a database and its roles the way the operator does.
func Provision(ctx context.Context, srv *pgserver.Server, name string) (directory.Database, error) {
	conn, err := pgx.Connect(ctx, srv.AdminURL("postgres"))
	if err != nil {
		return directory.Database{}, err
	}
	defer conn.Close(ctx)
	d := directory.Database{
		Name: name, Host: srv.Host, Port: srv.Port, DirectHost: srv.Host, DirectPort: srv.Port, SSLMode: "disable",
		Owner: directory.Credentials{User: name + "_owner", Password: randomHex(12)},
		App:   directory.Credentials{User: name + "_app_blue", Password: randomHex(12)},
	}
	id := func(s string) string { return pgx.Identifier{s}.Sanitize() }
	lit := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	stmts := []string{
		fmt.Sprintf("CREATE ROLE %s LOGIN PASSWORD %s", id(d.Owner.User), lit(d.Owner.Password)),
		fmt.Sprintf("CREATE ROLE %s NOLOGIN NOBYPASSRLS", id(name+"_app")),
		fmt.Sprintf("CREATE ROLE %s LOGIN NOBYPASSRLS INHERIT PASSWORD %s IN ROLE %s", id(d.App.User), lit(d.App.Password), id(name+"_app")),
		fmt.Sprintf("CREATE ROLE %s LOGIN PASSWORD %s", id(name+"_readonly"), lit(ReadonlyPassword)),
		fmt.Sprintf("CREATE DATABASE %s OWNER %s", id(name), id(d.Owner.User)),
		fmt.Sprintf("REVOKE CONNECT ON DATABASE %s FROM PUBLIC", id(name)),
		fmt.Sprintf("GRANT CONNECT ON DATABASE %s TO %s, %s", id(name), id(name+"_app"), id(name+"_readonly")),
	}
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			return d, fmt.Errorf("%s: %w", s, err)
		}
	}
	dbConn, err := pgx.Connect(ctx, srv.AdminURL(name))
	if err != nil {
		return d, err
	}
	defer dbConn.Close(ctx)
	for _, s := range []string{
		fmt.Sprintf("ALTER SCHEMA public OWNER TO %s", id(d.Owner.User)),
		fmt.Sprintf("GRANT USAGE ON SCHEMA public TO %s, %s", id(name+"_app"), id(name+"_readonly")),
		fmt.Sprintf("ALTER DEFAULT PRIVILEGES FOR ROLE %s IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %s", id(d.Owner.User), id(name+"_app")),
		fmt.Sprintf("ALTER DEFAULT PRIVILEGES FOR ROLE %s IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO %s", id(d.Owner.User), id(name+"_app")),
		fmt.Sprintf("ALTER DEFAULT PRIVILEGES FOR ROLE %s IN SCHEMA public GRANT SELECT ON TABLES TO %s", id(d.Owner.User), id(name+"_readonly")),
	} {
		if _, err := dbConn.Exec(ctx, s); err != nil {
			return d, fmt.Errorf("%s: %w", s, err)
		}
	}
	return d, nil
}

// ReadonlyPassword is the readonly role's password in test databases.
const ReadonlyPassword = "readonly-test-password"

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
