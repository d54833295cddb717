// Package devdb provisions a tenant database the way the operator does
// (owner, an app group with a login, the system login, readonly; CONNECT
// and TEMPORARY revoked from PUBLIC; default privileges), for tests and the one-command quick start, where no
// operator runs.
package devdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/pkg/directory"
)

// Provision creates database name and its roles through a superuser
// connection (adminURL to any database; dbAdminURL gives the URL of a named
// database) and returns the directory settings to reach it.
func Provision(ctx context.Context, adminURL string, dbAdminURL func(db string) string, host string, port int, name, readonlyPassword string) (directory.Database, error) {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return directory.Database{}, err
	}
	defer conn.Close(ctx)
	d := directory.Database{
		Name: name, Host: host, Port: port, DirectHost: host, DirectPort: port, SSLMode: "disable",
		Owner:  directory.Credentials{User: name + "_owner", Password: randomHex(12)},
		App:    directory.Credentials{User: name + "_app_blue", Password: randomHex(12)},
		System: directory.Credentials{User: name + "_system", Password: randomHex(12)},
	}
	id := func(s string) string { return pgx.Identifier{s}.Sanitize() }
	lit := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	stmts := []string{
		fmt.Sprintf("CREATE ROLE %s LOGIN PASSWORD %s", id(d.Owner.User), lit(d.Owner.Password)),
		fmt.Sprintf("CREATE ROLE %s NOLOGIN NOBYPASSRLS", id(name+"_app")),
		fmt.Sprintf("CREATE ROLE %s LOGIN NOBYPASSRLS INHERIT PASSWORD %s IN ROLE %s", id(d.App.User), lit(d.App.Password), id(name+"_app")),
		// The system login has the app group's table privileges; row-level
		// security tells the two apart by login (see the migrations).
		fmt.Sprintf("CREATE ROLE %s LOGIN NOBYPASSRLS INHERIT PASSWORD %s IN ROLE %s", id(d.System.User), lit(d.System.Password), id(name+"_app")),
		fmt.Sprintf("CREATE ROLE %s LOGIN PASSWORD %s", id(name+"_readonly"), lit(readonlyPassword)),
		fmt.Sprintf("CREATE DATABASE %s OWNER %s", id(name), id(d.Owner.User)),
		fmt.Sprintf("REVOKE CONNECT, TEMPORARY ON DATABASE %s FROM PUBLIC", id(name)),
		fmt.Sprintf("GRANT CONNECT, TEMPORARY ON DATABASE %s TO %s", id(name), id(d.Owner.User)),
		fmt.Sprintf("GRANT CONNECT ON DATABASE %s TO %s, %s", id(name), id(name+"_app"), id(name+"_readonly")),
	}
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			return d, fmt.Errorf("%s: %w", strings.SplitN(s, " PASSWORD", 2)[0], err)
		}
	}
	dbConn, err := pgx.Connect(ctx, dbAdminURL(name))
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

// AddSystemLogin creates the system login of a database provisioned before
// it existed, and takes TEMPORARY from PUBLIC, as Provision does now.
func AddSystemLogin(ctx context.Context, adminURL string, d *directory.Database) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	d.System = directory.Credentials{User: d.Name + "_system", Password: randomHex(12)}
	id := func(s string) string { return pgx.Identifier{s}.Sanitize() }
	for _, s := range []string{
		fmt.Sprintf("CREATE ROLE %s LOGIN NOBYPASSRLS INHERIT PASSWORD '%s' IN ROLE %s", id(d.System.User), d.System.Password, id(d.Name+"_app")),
		fmt.Sprintf("REVOKE TEMPORARY ON DATABASE %s FROM PUBLIC", id(d.Name)),
	} {
		if _, err := conn.Exec(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", strings.SplitN(s, " PASSWORD", 2)[0], err)
		}
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
