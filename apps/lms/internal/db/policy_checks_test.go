package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/lmstest"
	"bellwork.dev/bellwork/apps/lms/internal/migrations"
)

// The rules bw_is_admin() and bw_is_system() had before migration 00031,
// written out: 00031 decides the schema-owner part of them without querying
// pg_namespace when a context is set, and must answer exactly these.
const (
	adminBefore  = `coalesce(bw_role() IN ('district_admin', 'system'), false) OR (bw_role() IS NULL AND bw_system_login()) OR bw_is_migrator()`
	systemBefore = `coalesce(bw_role() = 'system', false) OR (bw_role() IS NULL AND bw_system_login()) OR bw_is_migrator()`
	checksNow    = `SELECT bw_is_admin(), bw_is_system(), ` + adminBefore + `, ` + systemBefore
)

// Every kind of caller gets the same answers from bw_is_admin() and
// bw_is_system() as before 00031: the app login with and without a
// context, the system login with none and acting for a teacher, the schema
// owner with none and with a user's context, and the owner's definer
// functions running for a teacher (as the delete and audit functions do).
func TestPolicyChecksAnswerAsBefore(t *testing.T) {
	w := seed(t)
	ctx := context.Background()
	owner, err := pgx.Connect(ctx, w.dir.OwnerURL())
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	// A definer function of the owner's, as the app login calls one.
	if _, err := owner.Exec(ctx, `CREATE FUNCTION public.bw_test_probe_checks() RETURNS TABLE (a boolean, s boolean, a0 boolean, s0 boolean)
		LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$ `+checksNow+` $$`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = owner.Exec(context.Background(), "DROP FUNCTION public.bw_test_probe_checks()") })

	teacherToken := w.session(t, w.teacher1, "teacher", w.schoolA, time.Hour)
	adminToken := w.session(t, w.dadmin, "district_admin", "", time.Hour)
	cases := []struct {
		name          string
		conn          *pgx.Conn
		setup         []string
		query         string
		admin, system bool
	}{
		{"app login, no context", w.conn, nil, checksNow, false, false},
		{"app login, teacher", w.conn, []string{"SELECT bw_session_begin('" + teacherToken + "')"}, checksNow, false, false},
		{"app login, district admin", w.conn, []string{"SELECT bw_session_begin('" + adminToken + "')"}, checksNow, true, false},
		{"app login, teacher then district admin in one transaction", w.conn,
			[]string{"SELECT bw_session_begin('" + teacherToken + "')", "SELECT bw_session_begin('" + adminToken + "')"}, checksNow, true, false},
		{"app login, teacher, in the owner's definer function", w.conn,
			[]string{"SELECT bw_session_begin('" + teacherToken + "')"}, "SELECT * FROM bw_test_probe_checks()", true, true},
		{"system login, no context", w.sys, nil, checksNow, true, true},
		{"system login acting for a teacher", w.sys,
			[]string{fmt.Sprintf("SELECT bw_act_as('%s', 'teacher', '%s')", w.teacher1, w.schoolA)}, checksNow, false, false},
		{"owner, no context", owner, nil, checksNow, true, true},
		{"owner with a teacher's context", owner, []string{"SELECT bw_session_begin('" + teacherToken + "')"}, checksNow, true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tx, err := c.conn.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			for _, s := range c.setup {
				mustExec(t, tx, s)
			}
			var admin, system, admin0, system0 bool
			if err := tx.QueryRow(ctx, c.query).Scan(&admin, &system, &admin0, &system0); err != nil {
				t.Fatal(err)
			}
			if admin != admin0 || system != system0 {
				t.Errorf("bw_is_admin %v, bw_is_system %v; the rules before 00031 say %v, %v", admin, system, admin0, system0)
			}
			if admin != c.admin || system != c.system {
				t.Errorf("bw_is_admin %v, bw_is_system %v; want %v, %v", admin, system, c.admin, c.system)
			}
		})
	}
}

// A teacher's reads, with the context established, never ask whether the
// caller is the schema owner by querying pg_namespace (bw_is_migrator): the
// policies' bw_is_admin() and bw_is_system() answer it from the context.
// Counted by Postgres (track_functions, pg_stat_xact_user_functions).
func TestTeacherPoliciesDoNotQueryTheSchemaOwner(t *testing.T) {
	w := seed(t)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, lmstest.Server.AdminURL(w.dir.Name))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	name := pgx.Identifier{w.dir.Name}.Sanitize()
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+name+" SET track_functions = 'all'"); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = admin.Exec(ctx, "ALTER DATABASE "+name+" RESET track_functions") }()
	conn, err := pgx.Connect(ctx, w.dir.AppURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	token := w.session(t, w.teacher1, "teacher", w.schoolA, time.Hour)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	mustExec(t, tx, "SELECT bw_session_begin($1)", token)
	calls := func() (migrator, admin int64) {
		t.Helper()
		err := tx.QueryRow(ctx, `SELECT coalesce(sum(calls) FILTER (WHERE funcname = 'bw_is_migrator'), 0),
			coalesce(sum(calls) FILTER (WHERE funcname = 'bw_is_admin'), 0)
			FROM pg_stat_xact_user_functions WHERE schemaname = 'public'`).Scan(&migrator, &admin)
		if err != nil {
			t.Fatal(err)
		}
		return migrator, admin
	}
	migrator0, admin0 := calls()
	var n int
	for _, q := range []string{"SELECT count(*) FROM users", "SELECT count(*) FROM memberships", "SELECT count(*) FROM sections",
		"SELECT count(*) FROM enrollments", "SELECT count(*) FROM courses", "SELECT count(*) FROM schools"} {
		if err := tx.QueryRow(ctx, q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	migrator1, admin1 := calls()
	if admin1 == admin0 {
		t.Fatalf("no bw_is_admin() call counted (%d): is track_functions on?", admin1)
	}
	if migrator1 != migrator0 {
		t.Errorf("a teacher's reads called bw_is_migrator() %d times (bw_is_admin() %d times)", migrator1-migrator0, admin1-admin0)
	}
}

// bw_establish updates the connection's context row in place: no row is
// deleted, and after many transactions on one connection (a pooled one
// lives for thousands) the table autovacuum never visits is still one page,
// which every bw_context_row() call reads.
func TestContextTableStaysOnePage(t *testing.T) {
	w := seed(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, w.dir.AppURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	token := w.session(t, w.teacher1, "teacher", w.schoolA, time.Hour)
	// One simple-protocol round trip a transaction.
	each := "BEGIN; SELECT bw_session_begin(" + q(token) + "); SELECT count(*) FROM sections; COMMIT"
	for i := 0; i < 1200; i++ {
		if _, err := conn.Exec(ctx, each); err != nil {
			t.Fatal(err)
		}
	}
	var size int64
	if err := conn.QueryRow(ctx, "SELECT pg_relation_size(to_regclass('pg_temp.bw_context'))").Scan(&size); err != nil {
		t.Fatal(err)
	}
	if size > 8192 {
		t.Errorf("after 1,200 transactions the context table is %d bytes, want one page", size)
	}

	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	// The view's counts include the connection's earlier transactions
	// not yet reported, so compare around one establishment.
	tuples := func() (deleted, updated int64) {
		t.Helper()
		if err := tx.QueryRow(ctx, `SELECT n_tup_del, n_tup_upd FROM pg_stat_xact_all_tables
			WHERE relid = to_regclass('pg_temp.bw_context')`).Scan(&deleted, &updated); err != nil {
			t.Fatal(err)
		}
		return deleted, updated
	}
	mustExec(t, tx, "SELECT bw_session_begin($1)", token)
	deleted0, updated0 := tuples()
	mustExec(t, tx, "SELECT bw_session_begin($1)", token)
	deleted1, updated1 := tuples()
	if deleted1 != deleted0 || updated1 != updated0+1 {
		t.Errorf("establishing a context deleted %d rows and updated %d, want 0 and 1", deleted1-deleted0, updated1-updated0)
	}
}

// A pooled connection that established contexts before migration 00031
// (its context table has no owner_id column) keeps working after it.
func TestConnectionFromBeforeTheMigrationKeepsItsContext(t *testing.T) {
	ctx := context.Background()
	d, err := lmstest.Provision(ctx, lmstest.Server, fmt.Sprintf("before31_%d", time.Now().UnixNano()%1e6))
	if err != nil {
		t.Fatal(err)
	}
	if err := migrations.RunTo(ctx, d.OwnerURL(), 30); err != nil {
		t.Fatal(err)
	}
	sys, err := pgx.Connect(ctx, d.SystemDirectURL())
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close(ctx)
	var teacher, school string
	if err := sys.QueryRow(ctx, `WITH s AS (INSERT INTO schools (code, name, time_zone) VALUES ('A', 'A', 'UTC') RETURNING id),
		u AS (INSERT INTO users (email, display_name) VALUES ('t@a.org', 'T') RETURNING id),
		m AS (INSERT INTO memberships (user_id, role, school_id) SELECT u.id, 'teacher', s.id FROM u, s RETURNING user_id, school_id)
		SELECT user_id, school_id FROM m`).Scan(&teacher, &school); err != nil {
		t.Fatal(err)
	}
	token, hash := auth.NewToken()
	if _, err := sys.Exec(ctx, `INSERT INTO sessions (id_sha256, user_id, role, school_id, csrf_token, idle_expires_at, absolute_expires_at)
		VALUES ($1, $2, 'teacher', $3, 'csrf', now() + interval '1 hour', now() + interval '1 day')`, hash, teacher, school); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, d.AppDirectURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	act := func() (user string, admin bool) {
		t.Helper()
		tx, err := conn.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		mustExec(t, tx, "SELECT bw_session_begin($1)", token)
		if err := tx.QueryRow(ctx, "SELECT bw_user_id()::text, bw_is_admin()").Scan(&user, &admin); err != nil {
			t.Fatal(err)
		}
		return user, admin
	}
	if user, admin := act(); user != teacher || admin {
		t.Fatalf("before 00031: acting as %s, admin %v", user, admin)
	}
	// The system login's connection gets a context table too when it acts
	// for a user; after the migration its system work must still see all.
	if _, err := sys.Exec(ctx, "SELECT bw_act_as($1, 'teacher', $2)", teacher, school); err != nil {
		t.Fatal(err)
	}
	if _, err := migrations.Run(ctx, d.OwnerURL(), migrations.Expand, nil); err != nil {
		t.Fatal(err)
	}
	var system bool
	var schools int
	if err := sys.QueryRow(ctx, "SELECT bw_is_system(), (SELECT count(*) FROM schools)").Scan(&system, &schools); err != nil || !system || schools != 1 {
		t.Fatalf("after 00031, the system login's connection: system %v, %d schools (%v)", system, schools, err)
	}
	if user, admin := act(); user != teacher || admin {
		t.Fatalf("after 00031, on the same connection: acting as %s, admin %v", user, admin)
	}
}
