package pgadmin

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/internal/dev/pgserver"
)

var srv *pgserver.Server

func TestMain(m *testing.M) {
	var err error
	if srv, err = pgserver.Start(context.Background(), pgserver.Options{}); err != nil {
		fmt.Fprintf(os.Stderr, "pgserver: %v\n", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = srv.Stop()
	os.Exit(code)
}

func adminTarget(db string) Target {
	return Target{Host: srv.Host, Port: srv.Port, Database: db, User: pgserver.SuperUser, Password: srv.SuperPassword, SSLMode: "disable", Reuse: db == "postgres"}
}

func open(t *testing.T, d *Dialer, target Target) Session {
	t.Helper()
	s, err := d.Open(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

// Planning, applying and inspecting again converges: after one round the
// plans are empty, so a second pass writes nothing. Passwords sent as
// SCRAM verifiers work for logging in, and a wrong one does not.
func TestProvisioningConvergesOnARealServer(t *testing.T) {
	ctx := context.Background()
	d := NewDialer()
	t.Cleanup(d.Close) // after the sessions' cleanups
	n, _ := NamesFor("bw_conv")
	maint := open(t, d, adminTarget("postgres"))

	roles := func() []Change {
		have, err := InspectRoles(ctx, maint, append(n.Roles(), PoolerRole))
		if err != nil {
			t.Fatal(err)
		}
		_, poolerRole := have[PoolerRole]
		return append(PlanRoles(DesiredRoles(n, 7), have), PlanPoolerRole(PoolerFunctionState{RoleExists: poolerRole})...)
	}
	database := func() []Change {
		st, err := InspectDatabase(ctx, maint, n.Database)
		if err != nil {
			t.Fatal(err)
		}
		if !st.Exists {
			return []Change{CreateDatabase(n)}
		}
		return PlanDatabase(n, []string{PoolerRole}, st)
	}
	for round := range 2 {
		if err := Apply(ctx, maint, roles()); err != nil {
			t.Fatal(err)
		}
		for range 2 { // create, then fix CONNECT
			if err := Apply(ctx, maint, database()); err != nil {
				t.Fatal(err)
			}
		}
		inDB := open(t, d, adminTarget(n.Database))
		gst, err := InspectGrants(ctx, inDB, n)
		if err != nil {
			t.Fatal(err)
		}
		fn, err := InspectPoolerFunction(ctx, inDB)
		if err != nil {
			t.Fatal(err)
		}
		changes := append(PlanGrants(n, gst), PlanPoolerFunction(n, fn)...)
		if round == 1 && len(changes) > 0 {
			t.Errorf("second round still plans grants: %q", sqls(changes))
		}
		if err := Apply(ctx, inDB, changes); err != nil {
			t.Fatal(err)
		}
	}
	if left := append(roles(), database()...); len(left) > 0 {
		t.Errorf("converged state still plans %q", sqls(left))
	}

	pw := GeneratePassword()
	if err := Apply(ctx, maint, []Change{SetPassword(n.Blue, pw)}); err != nil {
		t.Fatal(err)
	}
	app := Target{Host: srv.Host, Port: srv.Port, Database: n.Database, User: n.Blue, Password: pw, SSLMode: "disable"}
	s := open(t, d, app)
	if st, err := s.ReadStatus(ctx); err != nil || len(st.Schools) != 0 {
		t.Errorf("ReadStatus on an unmigrated database = %+v, %v", st, err)
	}
	app.Password = pw + "x"
	if _, err := d.Open(ctx, app); err == nil || !strings.Contains(err.Error(), "password authentication failed") {
		t.Errorf("wrong password: %v", err)
	}

	// Deleting: sessions are counted, ended, and everything is dropped.
	if c, err := CountSessions(ctx, maint, n.Database, n.AppLogins()); err != nil || c != 1 {
		t.Errorf("CountSessions = %d, %v; want the app's one session", c, err)
	}
	drop := append([]Change{TerminateSessions(n), DropDatabase(n)}, DropRoles(n)...)
	if err := Apply(ctx, maint, drop); err != nil {
		t.Fatal(err)
	}
	if st, _ := InspectDatabase(ctx, maint, n.Database); st.Exists {
		t.Error("database still exists")
	}
	if have, _ := InspectRoles(ctx, maint, n.Roles()); len(have) != 0 {
		t.Errorf("roles left: %v", have)
	}
}

// The verifier this package computes is the one Postgres computes itself
// for the same password and salt.
func TestSCRAMVerifierMatchesPostgres(t *testing.T) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, srv.AdminURL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SET password_encryption = 'scram-sha-256'"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE ROLE scram_probe LOGIN PASSWORD 'correct-horse-battery-staple'"); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(ctx, "DROP ROLE scram_probe")
	var stored string
	if err := conn.QueryRow(ctx, "SELECT rolpassword FROM pg_authid WHERE rolname = 'scram_probe'").Scan(&stored); err != nil {
		t.Fatal(err)
	}
	// SCRAM-SHA-256$<iter>:<salt>$<stored>:<server>
	var iter int
	var salt64 string
	head, _, _ := strings.Cut(stored, "$"+strings.SplitN(stored, "$", 3)[2])
	if _, err := fmt.Sscanf(strings.Replace(head, ":", " ", 1), "SCRAM-SHA-256$%d %s", &iter, &salt64); err != nil {
		t.Fatalf("parse %q: %v", stored, err)
	}
	salt, err := base64.StdEncoding.DecodeString(salt64)
	if err != nil {
		t.Fatal(err)
	}
	if got := scramVerifier("correct-horse-battery-staple", salt, iter); got != stored {
		t.Errorf("verifier\n%s\nPostgres\n%s", got, stored)
	}
	if !PasswordMatches(stored, "scram_probe", "correct-horse-battery-staple") || PasswordMatches(stored, "scram_probe", "wrong") {
		t.Error("PasswordMatches disagrees with Postgres")
	}
	s := open(t, NewDialer(), adminTarget("postgres"))
	got, readable, err := InspectPasswords(ctx, s, []string{"scram_probe", "nobody"})
	if err != nil || !readable || got["scram_probe"] != stored || len(got) != 1 {
		t.Errorf("InspectPasswords = %v, %v, %v", got, readable, err)
	}
}

// MaxConns is how many admin sessions on one server are held at once: a
// worker per session, so the pool must not be smaller than the workers.
func TestDialerHoldsMaxConnsAdminSessionsAtOnce(t *testing.T) {
	d := NewDialer()
	d.MaxConns = 6
	t.Cleanup(d.Close)
	for i := range int(d.MaxConns) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		s, err := d.Open(ctx, adminTarget("postgres"))
		cancel()
		if err != nil {
			t.Fatalf("session %d of %d: %v", i+1, d.MaxConns, err)
		}
		t.Cleanup(func() { s.Close(context.Background()) })
	}
	// One more waits for a session to be released.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if s, err := d.Open(ctx, adminTarget("postgres")); err == nil {
		s.Close(ctx)
		t.Fatalf("session %d opened past MaxConns %d", d.MaxConns+1, d.MaxConns)
	}
}
