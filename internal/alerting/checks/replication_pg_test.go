package checks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/internal/alerting"
	"bellwork.dev/bellwork/internal/dev/pgserver"
)

// Against a real primary and a real streaming standby on loopback: caught
// up reads no lag; paused replay while the primary writes raises it (seen
// from both sides); resuming clears it; a stopped standby is one standby
// too few; a login without the right to read positions and a server that
// is gone are errors, never "all is well".
func TestReplicationLagStreaming(t *testing.T) {
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
	pc := connect(t, primary.AdminURL("postgres"))
	sc := connect(t, standby.AdminURL("postgres"))
	exec(t, pc, "CREATE TABLE writes (at timestamptz DEFAULT now())")
	exec(t, pc, "INSERT INTO writes DEFAULT VALUES")

	primaryAddr := net.JoinHostPort(primary.Host, strconv.Itoa(primary.Port))
	standbyAddr := net.JoinHostPort(standby.Host, strconv.Itoa(standby.Port))
	zero, zeroBytes, oneSecond := time.Duration(0), int64(0), time.Second
	strict := ReplicationLimits{MaxLag: &zero, MaxLagBytes: &zeroBytes, MinStandbys: 1}
	read := func(addr, uri string) (Replication, error) { return ReadReplication(ctx, addr, uri, 5*time.Second) }
	// until polls the check until it finds what want accepts.
	until := func(what, addr, uri string, write bool, want func(Replication) bool) Replication {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			if write {
				exec(t, pc, "INSERT INTO writes DEFAULT VALUES")
			}
			rep, err := read(addr, uri)
			if err == nil && want(rep) {
				return rep
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not seen within 60s; last reading %+v, error %v", what, rep, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	has := func(samples []alerting.Sample, key string) bool {
		for _, s := range samples {
			if s.Labels.Key() == key {
				return true
			}
		}
		return false
	}

	// Caught up: the standby is listed by its application_name, with no
	// lag, so even zero limits find nothing wrong.
	until("the standby caught up, seen on the primary", primaryAddr, primary.AdminURL("postgres"), false, func(r Replication) bool {
		return !r.InRecovery && len(r.Standbys) == 1 && r.Standbys[0].Name == "standby-a" && len(ReplicationLag(r, strict)) == 0
	})
	until("the standby caught up, seen on itself", standbyAddr, standby.AdminURL("postgres"), false, func(r Replication) bool {
		return r.InRecovery && r.Self.Name == "standby-a" && len(ReplicationLag(r, strict)) == 0
	})

	// Replay paused while the primary writes: byte lag at once, and replay
	// lag in seconds growing past a second, on both sides.
	exec(t, sc, "SELECT pg_wal_replay_pause()")
	rep := until("byte and time lag on the primary while replay is paused", primaryAddr, primary.AdminURL("postgres"), true, func(r Replication) bool {
		return len(r.Standbys) == 1 && r.Standbys[0].Bytes > 0 && r.Standbys[0].Seconds > 1
	})
	got := ReplicationLag(rep, ReplicationLimits{MaxLag: &oneSecond, MaxLagBytes: &zeroBytes, MinStandbys: 1})
	if !has(got, "instance=standby-a,unit=seconds") || !has(got, "instance=standby-a,unit=bytes") || len(got) != 2 {
		t.Fatalf("paused replay: samples %+v, want seconds and bytes for standby-a", got)
	}
	rep = until("time lag on the standby while replay is paused", standbyAddr, standby.AdminURL("postgres"), true, func(r Replication) bool {
		return r.InRecovery && r.Self.Bytes > 0 && r.Self.Seconds > 1
	})
	if got := ReplicationLag(rep, ReplicationLimits{MaxLag: &oneSecond}); !has(got, "instance=standby-a,unit=seconds") {
		t.Fatalf("paused replay on the standby: samples %+v", got)
	}

	// Resumed: the lag clears without any further writes.
	exec(t, sc, "SELECT pg_wal_replay_resume()")
	until("the lag cleared on the primary after resuming", primaryAddr, primary.AdminURL("postgres"), false, func(r Replication) bool {
		return len(r.Standbys) == 1 && len(ReplicationLag(r, strict)) == 0
	})
	until("the lag cleared on the standby after resuming", standbyAddr, standby.AdminURL("postgres"), false, func(r Replication) bool {
		return len(ReplicationLag(r, strict)) == 0
	})

	// A login that may connect but not read positions is an error, not "no
	// standbys"; pg_monitor is enough.
	exec(t, pc, "CREATE ROLE watcher LOGIN PASSWORD 'watcher-pw'")
	watcherURI := primary.URL("postgres", "watcher", "watcher-pw")
	if _, err := read(primaryAddr, watcherURI); !errors.Is(err, errNotPrivileged) {
		t.Fatalf("an unprivileged login: %v, want errNotPrivileged", err)
	}
	exec(t, pc, "GRANT pg_monitor TO watcher")
	if r, err := read(primaryAddr, watcherURI); err != nil || len(r.Standbys) != 1 {
		t.Fatalf("a pg_monitor login: %+v %v, want the standby", r, err)
	}

	// The standby stops: one standby too few fires, with the count as value.
	if err := standby.Stop(); err != nil {
		t.Fatal(err)
	}
	rep = until("the stopped standby gone from the primary", primaryAddr, primary.AdminURL("postgres"), false, func(r Replication) bool {
		return len(r.Standbys) == 0
	})
	if got := ReplicationLag(rep, strict); len(got) != 1 || got[0].Labels.Key() != "unit=standbys" || got[0].Value != 0 {
		t.Fatalf("no standby: samples %+v, want unit=standbys with value 0", got)
	}

	// The server is gone: the check cannot tell, which is an error.
	pc.Close(ctx)
	if err := primary.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := read(primaryAddr, primary.AdminURL("postgres")); err == nil {
		t.Fatal("a stopped server read without error")
	} else if want := fmt.Sprintf("cannot connect to %s", primaryAddr); !strings.Contains(err.Error(), want) {
		t.Fatalf("stopped server: %v, want it to say %q", err, want)
	}
}

func connect(t *testing.T, uri string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), uri)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func exec(t *testing.T, conn *pgx.Conn, sql string) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
