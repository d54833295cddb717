package pgserver_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/internal/dev/pgserver"
)

// The cluster checks passwords: the superuser's works, a wrong one is refused.
func TestServerRequiresPasswords(t *testing.T) {
	ctx := context.Background()
	srv, err := pgserver.Start(ctx, pgserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()

	conn, err := pgx.Connect(ctx, srv.AdminURL("postgres"))
	if err != nil {
		t.Fatalf("superuser refused: %v", err)
	}
	conn.Close(ctx)

	if conn, err := pgx.Connect(ctx, srv.URL("postgres", pgserver.SuperUser, "wrong")); err == nil {
		conn.Close(ctx)
		t.Fatal("a wrong password was accepted")
	}
}

// A standby made from a running server streams from it: the primary lists
// it by name, and a row written on the primary can be read on the standby.
func TestStandbyStreams(t *testing.T) {
	ctx := context.Background()
	primary, err := pgserver.Start(ctx, pgserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer primary.Stop()
	standby, err := primary.StartStandby(ctx, "standby-a")
	if err != nil {
		t.Fatal(err)
	}
	defer standby.Stop()

	pc, err := pgx.Connect(ctx, primary.AdminURL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close(ctx)
	if _, err := pc.Exec(ctx, "CREATE TABLE t (v int); INSERT INTO t VALUES (42)"); err != nil {
		t.Fatal(err)
	}
	sc, err := pgx.Connect(ctx, standby.AdminURL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close(ctx)
	var recovering bool
	if err := sc.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&recovering); err != nil || !recovering {
		t.Fatalf("the standby is not in recovery: %v %v", recovering, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var name string
		errP := pc.QueryRow(ctx, "SELECT application_name FROM pg_stat_replication WHERE state = 'streaming'").Scan(&name)
		var v int
		errS := sc.QueryRow(ctx, "SELECT v FROM t").Scan(&v)
		if errP == nil && name == "standby-a" && errS == nil && v == 42 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30s: primary lists %q (%v), standby reads %d (%v)", name, errP, v, errS)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
