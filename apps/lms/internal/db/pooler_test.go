package db_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/lmstest"
)

// These tests run the second wall through a real PgBouncer in transaction
// mode with one server connection per login (lmstest.ThroughPgBouncer), so
// every client's transactions take turns on the same server connection, as
// they may in production: what one transaction leaves on the connection
// is there for the next client's.

// pooledConn is a client connection through the pooler, in the query mode
// the LMS uses behind one (db.PooledQueryExecMode).
func pooledConn(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DefaultQueryExecMode = db.PooledQueryExecMode
	conn, err := pgx.ConnectConfig(context.Background(), cfg)
	if err != nil {
		t.Fatalf("connect through PgBouncer: %v\n%s", err, lmstest.BouncerLog())
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// pooledTx runs one transaction on conn, establishing token's context
// first unless token is empty, and returns the server process it ran on
// and the e-mail addresses of the users it saw.
func pooledTx(ctx context.Context, conn *pgx.Conn, token string) (int, []string, error) {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return 0, nil, err
	}
	defer tx.Rollback(ctx)
	if token != "" {
		if _, err := tx.Exec(ctx, "SELECT bw_session_begin($1)", token); err != nil {
			return 0, nil, err
		}
	}
	var pid int
	if err := tx.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		return 0, nil, err
	}
	rows, err := tx.Query(ctx, "SELECT email FROM users ORDER BY 1")
	if err != nil {
		return 0, nil, err
	}
	emails, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, nil, err
	}
	return pid, emails, tx.Commit(ctx)
}

func TestPgBouncerInterleavedUsersSeeOnlyTheirOwn(t *testing.T) {
	w := seed(t)
	pooled := lmstest.ThroughPgBouncer(t, w.dir)
	ctx := context.Background()
	// The pooler checks passwords (with the operator's auth query).
	wrong := pooled
	wrong.App.Password = "not-the-password"
	if conn, err := pgx.Connect(ctx, wrong.AppURL()); err == nil {
		conn.Close(ctx)
		t.Fatal("the pooler accepted a wrong password")
	}
	type user struct {
		name  string
		conn  *pgx.Conn
		token string
		want  []string
	}
	users := []user{
		{"teacher", pooledConn(t, pooled.AppURL()), w.session(t, w.teacher1, "teacher", w.schoolA, time.Hour),
			w.as(t, w.teacher1, "teacher", w.schoolA, "SELECT email FROM users")},
		{"student", pooledConn(t, pooled.AppURL()), w.session(t, w.student2, "student", w.schoolA, time.Hour),
			w.as(t, w.student2, "student", w.schoolA, "SELECT email FROM users")},
		{"district admin", pooledConn(t, pooled.AppURL()), w.session(t, w.dadmin, "district_admin", "", time.Hour),
			w.as(t, w.dadmin, "district_admin", "", "SELECT email FROM users")},
	}
	if len(users[0].want) == len(users[1].want) || len(users[2].want) < 10 {
		t.Fatalf("scopes do not differ: %v", users)
	}
	// Taking turns: every transaction runs on the one server connection,
	// right after another user's.
	pids := map[int]bool{}
	for round := range 5 {
		for _, u := range users {
			pid, got, err := pooledTx(ctx, u.conn, u.token)
			if err != nil {
				t.Fatalf("round %d, %s: %v", round, u.name, err)
			}
			pids[pid] = true
			same(t, fmt.Sprintf("round %d, %s sees", round, u.name), got, u.want)
		}
	}
	if len(pids) != 1 {
		t.Fatalf("the transactions ran on %d server connections, want 1 (pool size 1)", len(pids))
	}
	// At once: the pooler queues the clients' transactions on that
	// connection in whatever order they come.
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Go(func() {
			for i := range 20 {
				_, got, err := pooledTx(ctx, u.conn, u.token)
				if err != nil {
					t.Errorf("%s, transaction %d: %v", u.name, i, err)
					return
				}
				if fmt.Sprint(got) != fmt.Sprint(u.want) {
					t.Errorf("%s, transaction %d sees %v, want %v", u.name, i, got, u.want)
					return
				}
			}
		})
	}
	wg.Wait()

	// A transaction that does not establish a context, right after the
	// district admin's on the same server connection, sees nothing.
	bare := pooledConn(t, pooled.AppURL())
	for _, u := range users {
		if _, _, err := pooledTx(ctx, u.conn, u.token); err != nil {
			t.Fatal(err)
		}
		pid, got, err := pooledTx(ctx, bare, "")
		if err != nil {
			t.Fatal(err)
		}
		if !pids[pid] || len(got) != 0 {
			t.Errorf("after %s's transaction, one without a context (server %d) sees %v", u.name, pid, got)
		}
		tx, err := bare.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for table, rows := range tableRows(t, tx) {
			if table != "operator_status" && len(rows) > 0 {
				t.Errorf("after %s's transaction, one without a context sees %d rows of %s", u.name, len(rows), table)
			}
		}
		_ = tx.Rollback(ctx)
	}
}

// TestPgBouncerInjectedSQLStaysInScope runs the attack test's core through
// the pooler: the district admin's transaction runs from another client
// just before, on the same server connection; the attacker then forges
// settings (also at session level, which outlives the transaction on the
// shared server connection), temporary tables, functions, policies and
// roles, and calls every function with forged arguments. Afterwards the
// other clients' next transactions on that connection see exactly their
// own scope, or nothing without a context.
func TestPgBouncerInjectedSQLStaysInScope(t *testing.T) {
	w := seed(t)
	pooled := lmstest.ThroughPgBouncer(t, w.dir)
	ctx := context.Background()
	victimConn := pooledConn(t, pooled.AppURL())
	victim := w.session(t, w.dadmin, "district_admin", "", time.Hour)
	wantVictim := w.as(t, w.dadmin, "district_admin", "", "SELECT email FROM users")
	for _, a := range attackers(w) {
		t.Run(a.name, func(t *testing.T) {
			conn := pooledConn(t, pooled.AppURL())
			token := w.session(t, a.user, a.role, a.school, time.Hour)
			allowed := scope(t, conn, token)
			if n := len(allowed["users"]); n == 0 || n >= 9 {
				t.Fatalf("the attacker's own session sees %d users", n)
			}
			rows, _ := conn.Query(ctx, "SELECT rolname FROM pg_roles ORDER BY 1")
			roles, _ := pgx.CollectRows(rows, pgx.RowTo[string])
			if len(roles) < 5 {
				t.Fatalf("roles: %v", roles)
			}
			attempts := append(settingAttacks(w), internalAttacks(w, token)...)
			for _, r := range roles {
				id := pgx.Identifier{r}.Sanitize()
				attempts = append(attempts, "SET ROLE "+id, "SET LOCAL ROLE "+id, "SET SESSION AUTHORIZATION "+id)
			}
			for _, withOwn := range []bool{true, false} {
				if _, _, err := pooledTx(ctx, victimConn, victim); err != nil {
					t.Fatal(err)
				}
				tx, err := conn.Begin(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if withOwn {
					mustExec(t, tx, "SELECT bw_session_begin($1)", token)
				}
				for _, sql := range attempts {
					if try(t, tx, sql) {
						confined(t, sql, tx, allowed)
					}
				}
				confined(t, "all attempts", tx, allowed)
				if withOwn {
					forgeFunctionCalls(t, w, tx, token, allowed, victim)
				}
				_ = tx.Rollback(ctx)
			}
			// Session-level settings, sent outside a transaction, land on
			// the shared server connection.
			for _, sql := range settingAttacks(w) {
				_, _ = conn.Exec(ctx, sql)
			}
			tx, err := conn.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			confined(t, "session-level settings, no context", tx, allowed)
			mustExec(t, tx, "SELECT bw_session_begin($1)", token)
			confined(t, "session-level settings, own context", tx, allowed)
			_ = tx.Rollback(ctx)
			// The other clients' next transactions are unaffected.
			if _, got, err := pooledTx(ctx, victimConn, victim); err != nil || fmt.Sprint(got) != fmt.Sprint(wantVictim) {
				t.Errorf("after the attack the district admin sees %v (%v), want %v", got, err, wantVictim)
			}
			if _, got, err := pooledTx(ctx, victimConn, ""); err != nil || len(got) != 0 {
				t.Errorf("after the attack a transaction without a context sees %v (%v)", got, err)
			}
		})
	}
}
