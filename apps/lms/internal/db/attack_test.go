package db_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/lmstest"
)

// These tests attack the second wall the way an injection would: arbitrary
// SQL on the app role, holding nothing but the attacker's own live session.
// After every attempt, every table in the schema (enumerated from the
// catalog, so a table a later migration adds is covered without touching
// this file) must show no row the attacker's own session does not show,
// and no password hash at all.

// querier is a transaction or a connection.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// tableRows reads every row of every table in schema public, as text,
// with what the caller may see. A table it may not read at all (permission
// denied, say after a SET ROLE) reads as empty. Each table is read inside a
// savepoint, so a refusal does not end the caller's transaction.
func tableRows(t *testing.T, q querier) map[string]map[string]bool {
	t.Helper()
	ctx := context.Background()
	rows, err := q.Query(ctx, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') ORDER BY 1`)
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) < 15 {
		t.Fatalf("only %d tables listed: %v", len(tables), tables)
	}
	out := map[string]map[string]bool{}
	for _, table := range tables {
		out[table] = map[string]bool{}
		if _, err := q.Exec(ctx, "SAVEPOINT read_table"); err != nil {
			t.Fatal(err)
		}
		rows, err := q.Query(ctx, "SELECT t::text FROM "+pgx.Identifier{table}.Sanitize()+" t")
		var texts []string
		if err == nil {
			texts, err = pgx.CollectRows(rows, pgx.RowTo[string])
		}
		if err != nil {
			if !isRefusal(err) {
				t.Fatalf("read %s: %v", table, err)
			}
			if _, err := q.Exec(ctx, "ROLLBACK TO SAVEPOINT read_table"); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if _, err := q.Exec(ctx, "RELEASE SAVEPOINT read_table"); err != nil {
			t.Fatal(err)
		}
		for _, r := range texts {
			out[table][r] = true
		}
	}
	return out
}

func isRefusal(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "42501" || strings.HasPrefix(pgErr.Code, "28"))
}

// confined fails the test if q sees a row outside allowed, or any password hash.
func confined(t *testing.T, after string, q querier, allowed map[string]map[string]bool) {
	t.Helper()
	for table, rows := range tableRows(t, q) {
		for r := range rows {
			if strings.Contains(r, hashMarker) {
				t.Errorf("after %s: a password hash is visible in %s: %s", after, table, r)
			}
			if !allowed[table][r] {
				t.Errorf("after %s: %s row outside the attacker's scope is visible: %s", after, table, r)
			}
		}
	}
}

type attacker struct {
	name, user, role, school string
}

// attackers are one person of each role but the district admin's, all at
// school A: the guardian of student1, and school A's admin.
func attackers(w *rlsWorld) []attacker {
	return []attacker{
		{"student", w.student1, "student", w.schoolA},
		{"teacher", w.teacher1, "teacher", w.schoolA},
		{"guardian", w.guardian1, "guardian", w.schoolA},
		{"school admin", w.sadminA, "school_admin", w.schoolA},
	}
}

// victims are the people whose transaction runs on the attacker's server
// connection just before the attack (as behind PgBouncer in transaction
// mode) and leaves its context row behind: the district admin, and a
// school admin of the attacker's school and of the other one. Each sees
// more than every attacker but themselves.
func victims(w *rlsWorld) []attacker {
	return []attacker{
		{"district admin", w.dadmin, "district_admin", ""},
		{"school admin A", w.sadminA, "school_admin", w.schoolA},
		{"school admin B", w.sadminB, "school_admin", w.schoolB},
	}
}

// attackConn is the attacker's own connection to the app role.
func attackConn(t *testing.T, w *rlsWorld) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), w.dir.AppURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// scope is what the attacker's own session legitimately sees.
func scope(t *testing.T, conn *pgx.Conn, token string) map[string]map[string]bool {
	t.Helper()
	ctx := context.Background()
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	mustExec(t, tx, "SELECT bw_session_begin($1)", token)
	return tableRows(t, tx)
}

// try runs one attempt in a savepoint: a refused statement leaves the
// transaction usable, an accepted one stays in effect. It reports whether
// the statement was accepted.
func try(t *testing.T, tx pgx.Tx, sql string, args ...any) bool {
	t.Helper()
	ctx := context.Background()
	if _, err := tx.Exec(ctx, "SAVEPOINT attempt"); err != nil {
		t.Fatalf("savepoint before %s: %v", sql, err)
	}
	if _, err := tx.Exec(ctx, sql, args...); err != nil {
		if _, err := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT attempt"); err != nil {
			t.Fatal(err)
		}
		return false
	}
	if _, err := tx.Exec(ctx, "RELEASE SAVEPOINT attempt"); err != nil {
		t.Fatal(err)
	}
	return true
}

// settingAttacks write the settings the policies read before the contract
// migration, at transaction and at session level, naming the system, a
// district admin, and everything at once.
func settingAttacks(w *rlsWorld) []string {
	all := func(ids ...string) string { return "{" + strings.Join(ids, ",") + "}" }
	sections := all(w.section1, w.section2, w.sectionB)
	students := all(w.student1, w.student2, w.student3, w.studentB)
	schools := all(w.schoolA, w.schoolB)
	var out []string
	for _, local := range []string{"true", "false"} {
		for _, kv := range [][2]string{
			{"bw.role", "system"}, {"bw.role", "district_admin"}, {"bw.role", "school_admin"},
			{"bw.user_id", w.dadmin}, {"bw.user_id", ""}, {"bw.school_id", w.schoolB},
			{"bw.sections", sections}, {"bw.students", students}, {"bw.schools", schools}, {"bw.foreign", "{}"},
		} {
			out = append(out, fmt.Sprintf("SELECT set_config('%s', '%s', %s)", kv[0], kv[1], local))
		}
	}
	// The key of the context row a previous transaction left behind on the
	// connection is random and was never visible here: guess.
	for _, guess := range []string{"00000000-0000-0000-0000-000000000000", w.dadmin, w.schoolA, ""} {
		out = append(out, fmt.Sprintf("SELECT set_config('bw.context_key', '%s', true)", guess))
	}
	return append(out, "SET bw.role = 'system'", "SET LOCAL bw.role = 'system'", "SET bw.user_id = '"+w.dadmin+"'")
}

// internalAttacks do by hand what the definer functions do inside, write
// the tables that decide who is who, and try to replace the functions.
func internalAttacks(w *rlsWorld, ownToken string) []string {
	forgedToken, forgedHash := auth.NewToken()
	_ = forgedToken
	ctx := `(user_id uuid, role text, school_id uuid, sections uuid[], students uuid[], schools uuid[], foreign_ids uuid[])`
	row := fmt.Sprintf(`('%s', 'district_admin', NULL, '{}', '{}', '{}', '{}')`, w.dadmin)
	return []string{
		"CREATE TEMPORARY TABLE bw_context " + ctx,
		"CREATE TEMPORARY TABLE bw_context " + ctx + " ON COMMIT DELETE ROWS",
		"INSERT INTO pg_temp.bw_context VALUES " + row,
		"UPDATE pg_temp.bw_context SET user_id = '" + w.dadmin + "', role = 'district_admin', school_id = NULL",
		"DELETE FROM pg_temp.bw_context",
		"CREATE TABLE public.bw_context " + ctx,
		"CREATE SCHEMA attacker",
		"CREATE FUNCTION public.bw_is_system() RETURNS boolean LANGUAGE sql AS 'SELECT true'",
		"CREATE OR REPLACE FUNCTION bw_system_login() RETURNS boolean LANGUAGE sql AS 'SELECT true'",
		"CREATE OR REPLACE FUNCTION bw_context() RETURNS TABLE (user_id uuid, role text, school_id uuid, sections uuid[], students uuid[], schools uuid[], foreign_ids uuid[]) LANGUAGE sql AS $$SELECT '" + w.dadmin + "'::uuid, 'district_admin', NULL::uuid, '{}'::uuid[], '{}'::uuid[], '{}'::uuid[], '{}'::uuid[]$$",
		"ALTER FUNCTION bw_context() OWNER TO CURRENT_USER",
		"CREATE OR REPLACE FUNCTION bw_context_row() RETURNS bw_context_value LANGUAGE sql AS $$SELECT ROW('" + w.dadmin + "'::uuid, 'district_admin', NULL::uuid, '{}'::uuid[], '{}'::uuid[], '{}'::uuid[], '{}'::uuid[])::bw_context_value$$",
		"ALTER FUNCTION bw_context_row() OWNER TO CURRENT_USER",
		"ALTER TABLE users DISABLE ROW LEVEL SECURITY",
		"ALTER TABLE users NO FORCE ROW LEVEL SECURITY",
		"DROP POLICY visible ON users",
		"CREATE POLICY attacker ON users USING (true)",
		"SET search_path = pg_temp, public",
		"SET row_security = off",
		"DISCARD TEMP",
		// Forge a session for the district admin, or take over another one.
		fmt.Sprintf("INSERT INTO sessions (id_sha256, user_id, role, csrf_token, idle_expires_at, absolute_expires_at) VALUES ('%s', '%s', 'district_admin', 'x', now() + interval '1 day', now() + interval '1 day')", forgedHash, w.dadmin),
		fmt.Sprintf("UPDATE sessions SET user_id = '%s', role = 'district_admin', school_id = NULL", w.dadmin),
		fmt.Sprintf("UPDATE sessions SET role = 'district_admin', school_id = NULL WHERE id_sha256 = '%s'", auth.TokenSHA256(ownToken)),
		// Give oneself a role, or write a job acting as the district admin.
		fmt.Sprintf("INSERT INTO memberships (user_id, role) VALUES ((SELECT bw_user_id()), 'district_admin')"),
		fmt.Sprintf("INSERT INTO memberships (user_id, role, school_id) VALUES ((SELECT bw_user_id()), 'school_admin', '%s')", w.schoolA),
		fmt.Sprintf(`INSERT INTO river_job (args, kind, max_attempts, queue, state) VALUES ('{"user_id": "%s", "role": "district_admin"}', 'roster_import', 1, 'default', 'available')`, w.dadmin),
		"UPDATE user_passwords SET password_hash = 'x'",
		"INSERT INTO user_passwords (user_id, password_hash) SELECT id, 'x' FROM users",
		"INSERT INTO audit_log (actor_id, actor_role, action) VALUES ('" + w.dadmin + "', 'district_admin', 'forged')",
		"SELECT bw_session_begin('" + forgedToken + "')",
		"SELECT bw_session_begin('" + auth.TokenSHA256(ownToken) + "')",
		fmt.Sprintf("SELECT bw_act_as('%s', 'district_admin', NULL)", w.dadmin),
		fmt.Sprintf("SELECT bw_establish('%s', 'district_admin', NULL)", w.dadmin),
		fmt.Sprintf("SELECT bw_begin('%s', 'district_admin', NULL)", w.dadmin),
		"SELECT bw_begin(NULL, 'system', NULL)",
		"SET SESSION AUTHORIZATION DEFAULT",
	}
}

// TestInjectedSQLStaysInTheAttackersScope is the second wall's proof: for
// each attacker and each victim, each attempt runs in a transaction that
// first establishes the attacker's own context (and again in one that does
// not), right after the victim's transaction on the same connection, and
// every table is checked after every accepted attempt and at the end.
func TestInjectedSQLStaysInTheAttackersScope(t *testing.T) {
	w := seed(t)
	var users int
	if err := w.sys.QueryRow(context.Background(), "SELECT count(*) FROM users").Scan(&users); err != nil {
		t.Fatal(err)
	}
	for _, a := range attackers(w) {
		t.Run(a.name, func(t *testing.T) {
			conn := attackConn(t, w)
			token := w.session(t, a.user, a.role, a.school, time.Hour)
			allowed := scope(t, conn, token)
			// Sanity: the attacker's own view is not everything.
			if n := len(allowed["users"]); n == 0 || n >= users {
				t.Fatalf("the attacker's own session sees %d of %d users", n, users)
			}
			var roles []string
			rows, _ := conn.Query(context.Background(), "SELECT rolname FROM pg_roles ORDER BY 1")
			roles, _ = pgx.CollectRows(rows, pgx.RowTo[string])
			if len(roles) < 5 {
				t.Fatalf("roles: %v", roles)
			}
			var attempts []string
			attempts = append(attempts, settingAttacks(w)...)
			attempts = append(attempts, internalAttacks(w, token)...)
			for _, r := range roles {
				id := pgx.Identifier{r}.Sanitize()
				attempts = append(attempts, "SET ROLE "+id, "SET LOCAL ROLE "+id, "SET SESSION AUTHORIZATION "+id)
			}
			for _, v := range victims(w) {
				if v.user == a.user {
					continue // their own transaction leaves nothing to steal
				}
				victim := w.session(t, v.user, v.role, v.school, time.Hour)
				for _, withOwn := range []bool{true, false} {
					ctx := context.Background()
					// The victim's transaction ran on this server connection
					// just before and left its context row behind.
					vtx, err := conn.Begin(ctx)
					if err != nil {
						t.Fatal(err)
					}
					mustExec(t, vtx, "SELECT bw_session_begin($1)", victim)
					if err := vtx.Commit(ctx); err != nil {
						t.Fatal(err)
					}
					tx, err := conn.Begin(ctx)
					if err != nil {
						t.Fatal(err)
					}
					if withOwn {
						mustExec(t, tx, "SELECT bw_session_begin($1)", token)
					}
					after := fmt.Sprintf(" (after %s's transaction, own context %v)", v.name, withOwn)
					for _, sql := range attempts {
						if try(t, tx, sql) {
							confined(t, sql+after, tx, allowed)
						}
					}
					confined(t, "all attempts"+after, tx, allowed)
					forgeFunctionCalls(t, w, tx, token, allowed, victim)
					_ = tx.Rollback(ctx)
				}
			}
			// Session-level settings outlive a transaction: the next one,
			// with or without the attacker's context, is still confined.
			for _, sql := range settingAttacks(w) {
				_, _ = conn.Exec(context.Background(), sql)
			}
			tx, err := conn.Begin(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			confined(t, "session-level settings, no context", tx, allowed)
			mustExec(t, tx, "SELECT bw_session_begin($1)", token)
			confined(t, "session-level settings, own context", tx, allowed)
			_ = tx.Rollback(context.Background())
		})
	}
}

// forgeFunctionCalls calls every function in schema public (enumerated
// from pg_proc) with forged arguments: every user, school and section id,
// every role name, tokens and token hashes that are not the attacker's
// (the hashes of the victims' live sessions among them).
//
// A function with more than forgedCallCap combinations of these gets the
// first forgedCallCap of them in order, the first argument varying
// slowest, and then every pair of values of every two of its arguments
// (see calls), so each forged id, role and token is tried in every
// position and with every value of every other argument. Today that is
// bw_establish and bw_act_as, (uuid, text, uuid): 16 x 12 x 16 = 3072
// combinations, the twelfth text value being the victim's session hash.
// In order, each actor id takes 192 of them, so actor ids NULL through
// studentB get every role with every school; guardian1 only the roles
// NULL, the empty string, system, district_admin and school_admin with
// every school; and the schools and sections as the actor (no user at
// all) none. Those remaining triples are tried only as far as the pairs
// reach: guardian1 with every role and with every school, but not every
// role-school pair of the two. The test logs each function it caps, so
// one a later migration adds shows up there.
func forgeFunctionCalls(t *testing.T, w *rlsWorld, tx pgx.Tx, token string, allowed map[string]map[string]bool, victimTokens ...string) {
	t.Helper()
	ctx := context.Background()
	rows, err := tx.Query(ctx, `SELECT p.oid::regprocedure::text, p.proname,
			coalesce(array(SELECT format_type(x, NULL) FROM unnest(p.proargtypes) x), '{}')
		FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
		WHERE n.nspname = 'public' AND p.prokind = 'f' AND p.prorettype <> 'trigger'::regtype ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	type fn struct {
		Sig, Name string
		Args      []string
	}
	fns, err := pgx.CollectRows(rows, pgx.RowToStructByPos[fn])
	if err != nil {
		t.Fatal(err)
	}
	if len(fns) < 10 {
		t.Fatalf("only %d functions listed", len(fns))
	}
	values := forgedValues(w, token, victimTokens)
	seen := map[string]bool{}
	for _, f := range fns {
		seen[f.Name] = true
		list, capped := calls(f.Name, f.Args, values, forgedCallCap)
		if _, logged := cappedLogged.LoadOrStore(f.Sig, true); capped && !logged {
			t.Logf("%s: more than %d combinations; tried the first %d and every pair of argument values (%d calls)",
				f.Sig, forgedCallCap, forgedCallCap, len(list))
		}
		for _, call := range list {
			if try(t, tx, "SELECT "+call) {
				confined(t, call, tx, allowed)
			}
		}
	}
	for _, must := range []string{"bw_session_begin", "bw_act_as", "bw_establish", "bw_context", "bw_context_row", "bw_is_system"} {
		if !seen[must] {
			t.Errorf("function %s was not among those attacked", must)
		}
	}
}

// cappedLogged are the functions whose cap was logged, once per run.
var cappedLogged sync.Map

// forgedCallCap bounds the combinations tried in order per function.
const forgedCallCap = 2000

// forgedValues are the candidate arguments by type. Ids come first that
// name people (most dangerous as an actor), then schools and sections.
func forgedValues(w *rlsWorld, token string, victimTokens []string) map[string][]string {
	otherToken, otherHash := auth.NewToken()
	text := []string{"NULL", "''", "'system'", "'district_admin'", "'school_admin'", "'teacher'", "'student'", "'guardian'",
		q(otherToken), q(otherHash), q(auth.TokenSHA256(token))}
	for _, v := range victimTokens {
		text = append(text, q(auth.TokenSHA256(v)))
	}
	return map[string][]string{
		"uuid": {"NULL", q(w.dadmin), q(w.sadminA), q(w.sadminB), q(w.teacher1), q(w.teacher2), q(w.teacherB), q(w.student1),
			q(w.student2), q(w.studentB), q(w.guardian1), q(w.schoolA), q(w.schoolB), q(w.section1), q(w.section2), q(w.sectionB)},
		"text": text,
	}
}

func q(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// calls lists calls of a function with every combination of candidate
// values for its argument types (NULL for a type without candidates), the
// first argument varying slowest. When there are more than limit
// combinations it lists the first limit, then every pair of values of any
// two arguments (the others cycling through theirs), so no value goes
// untried in any position or beside any value of another argument; capped
// says so.
func calls(name string, args []string, values map[string][]string, limit int) (out []string, capped bool) {
	cands := make([][]string, len(args))
	total := 1
	for i, typ := range args {
		for _, v := range values[typ] {
			cands[i] = append(cands[i], v+"::"+typ)
		}
		if len(cands[i]) == 0 {
			cands[i] = []string{"NULL::" + typ}
		}
		total = min(total*len(cands[i]), limit+1) // saturates: only "over limit" matters
	}
	listed := map[string]bool{}
	add := func(pick []int) {
		vals := make([]string, len(pick))
		for i, p := range pick {
			vals[i] = cands[i][p]
		}
		call := fmt.Sprintf("%s(%s)", pgx.Identifier{name}.Sanitize(), strings.Join(vals, ", "))
		if !listed[call] {
			listed[call] = true
			out = append(out, call)
		}
	}
	pick := make([]int, len(args))
	for range min(total, limit) {
		add(pick)
		for i := len(pick) - 1; i >= 0; i-- { // odometer: the last argument fastest
			if pick[i]++; pick[i] < len(cands[i]) {
				break
			}
			pick[i] = 0
		}
	}
	if total <= limit {
		return out, false
	}
	cycled := func(n int) []int {
		p := make([]int, len(args))
		for k := range p {
			p[k] = (n + k) % len(cands[k])
		}
		return p
	}
	for i := range args {
		for a := range cands[i] {
			p := cycled(a)
			p[i] = a
			add(p)
			for j := i + 1; j < len(args); j++ {
				for b := range cands[j] {
					p := cycled(a + b)
					p[i], p[j] = a, b
					add(p)
				}
			}
		}
	}
	return out, true
}

// The system login sees every row of every table (it does the LMS's own
// work: sign-in, convergence, imports, the job queue), but goose's
// bookkeeping, which only migrations (the owner) touch.
func TestSystemLoginSeesEverything(t *testing.T) {
	w := seed(t)
	ctx := context.Background()
	super, err := pgx.Connect(ctx, lmstest.Server.AdminURL(w.dir.Name))
	if err != nil {
		t.Fatal(err)
	}
	defer super.Close(ctx)
	all, err := super.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer all.Rollback(ctx)
	tx, err := w.sys.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	want, got := tableRows(t, all), tableRows(t, tx)
	for table, rows := range want {
		if table == "goose_db_version" {
			continue
		}
		if len(got[table]) != len(rows) {
			t.Errorf("%s: the system login sees %d of %d rows", table, len(got[table]), len(rows))
		}
	}
	if len(got["user_passwords"]) == 0 {
		t.Error("the system login cannot read password hashes, so nobody could sign in")
	}
}

// A session that expired, was signed out, or whose user was deactivated
// establishes no context.
func TestDeadSessionsEstablishNothing(t *testing.T) {
	w := seed(t)
	ctx := context.Background()
	expired := w.session(t, w.teacher1, "teacher", w.schoolA, -time.Second)
	ended := w.session(t, w.teacher1, "teacher", w.schoolA, time.Hour)
	if _, err := w.sys.Exec(ctx, "DELETE FROM sessions WHERE id_sha256 = $1", auth.TokenSHA256(ended)); err != nil {
		t.Fatal(err)
	}
	deactivated := w.session(t, w.teacher2, "teacher", w.schoolA, time.Hour)
	tx, err := w.sys.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	mustExec(t, tx, "UPDATE users SET status = 'deactivated' WHERE id = $1", w.teacher2)
	// The deactivation is only visible inside tx: check that one through
	// the system login narrowed by bw_session_begin, the others on the app role.
	for name, tok := range map[string]string{"expired": expired, "signed out": ended} {
		if _, err := w.conn.Exec(ctx, "SELECT bw_session_begin($1)", tok); err == nil || !strings.Contains(err.Error(), "no live session") {
			t.Errorf("%s session: %v", name, err)
		}
	}
	if _, err := tx.Exec(ctx, "SELECT bw_session_begin($1)", deactivated); err == nil || !strings.Contains(err.Error(), "does not hold") {
		t.Errorf("deactivated user's session: %v", err)
	}
}

// The app role may not create temporary objects (which could shadow the
// context table) and is not the system login, through any membership.
func TestAppRoleHasNoTemporaryTablesAndIsNotSystem(t *testing.T) {
	w := seed(t)
	var temp, system, migrator bool
	err := w.conn.QueryRow(context.Background(), `SELECT has_database_privilege(current_database(), 'TEMPORARY'),
		bw_system_login(), bw_is_migrator()`).Scan(&temp, &system, &migrator)
	if err != nil {
		t.Fatal(err)
	}
	if temp || system || migrator {
		t.Fatalf("app role: TEMPORARY %v, system login %v, migrator %v", temp, system, migrator)
	}
}

// calls, once capped, still puts every value in every position beside
// every value of every other argument.
func TestCappedForgedCallsCoverEveryPair(t *testing.T) {
	values := map[string][]string{"a": {"1", "2", "3", "4"}, "b": {"x", "y", "z"}}
	args := []string{"a", "b", "a"}
	list, capped := calls("f", args, values, 7)
	if !capped || len(list) < 7 {
		t.Fatalf("capped %v, %d calls", capped, len(list))
	}
	type pair struct {
		i, j int
		a, b string
	}
	got := map[pair]bool{}
	for _, c := range list {
		vals := strings.Split(strings.TrimSuffix(strings.TrimPrefix(c, `"f"(`), ")"), ", ")
		for i := range vals {
			for j := i + 1; j < len(vals); j++ {
				got[pair{i, j, vals[i], vals[j]}] = true
			}
		}
	}
	for i := range args {
		for j := i + 1; j < len(args); j++ {
			for _, a := range values[args[i]] {
				for _, b := range values[args[j]] {
					if p := (pair{i, j, a + "::" + args[i], b + "::" + args[j]}); !got[p] {
						t.Errorf("no call has %s in position %d and %s in %d", p.a, i, p.b, j)
					}
				}
			}
		}
	}
	if _, capped := calls("f", args, values, 48); capped {
		t.Error("48 combinations capped at 48")
	}
}
