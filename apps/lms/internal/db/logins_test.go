package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/lmstest"
)

// A database that stops letting the LMS in keeps the sessions it already
// accepted, so a pooled round trip still answers; CheckLogins opens new
// connections and sees it, for a database connection limit of 0 (as an
// SRE's maintenance would set) and for a login that lost LOGIN, and sees
// the repair.
func TestCheckLoginsSeesARefusedLoginWhilePooledSessionsLive(t *testing.T) {
	ctx := context.Background()
	d := lmstest.TenantDB(t)
	pools := db.NewPools(time.Hour, 2)
	t.Cleanup(pools.CloseAll)
	tdb, err := pools.Get(ctx, "logins", d)
	if err != nil {
		t.Fatal(err)
	}
	if err := tdb.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tdb.CheckLogins(ctx); err != nil {
		t.Fatalf("a healthy database: %v", err)
	}
	admin, err := pgx.Connect(ctx, lmstest.Server.AdminURL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	exec := func(sql string) {
		t.Helper()
		if _, err := admin.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	database := pgx.Identifier{d.Name}.Sanitize()
	for _, c := range []struct{ name, breakSQL, repairSQL, want string }{
		{"database connection limit 0", "ALTER DATABASE " + database + " CONNECTION LIMIT 0", "ALTER DATABASE " + database + " CONNECTION LIMIT -1", "too many connections"},
		{"system login NOLOGIN", "ALTER ROLE " + pgx.Identifier{d.System.User}.Sanitize() + " NOLOGIN", "ALTER ROLE " + pgx.Identifier{d.System.User}.Sanitize() + " LOGIN", "not permitted to log in"},
	} {
		exec(c.breakSQL)
		if err := tdb.Ping(ctx); err != nil {
			t.Errorf("%s: the pooled session should still answer (that is why CheckLogins exists): %v", c.name, err)
		}
		err := tdb.CheckLogins(ctx)
		if err == nil || !errors.Is(err, db.ErrUnavailable) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: CheckLogins = %v, want ErrUnavailable saying %q", c.name, err, c.want)
		}
		exec(c.repairSQL)
		if err := tdb.CheckLogins(ctx); err != nil {
			t.Errorf("%s repaired: %v", c.name, err)
		}
	}
}
