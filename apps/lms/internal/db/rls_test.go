package db_test

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/lmstest"
	"bellwork.dev/bellwork/pkg/directory"
)

func TestMain(m *testing.M) { lmstest.Main(m) }

// rlsWorld is a small district seeded through the system login: two
// schools; at A two teachers with a section each, three students, a
// guardian of student1 and a school admin; at B a school admin, one
// teacher and one student.
// conn is the app role (as requests use it), sys the system login.
type rlsWorld struct {
	dir                                    directory.Database
	conn, sys                              *pgx.Conn
	schoolA, schoolB                       string
	dadmin, sadminA, sadminB               string
	teacher1, teacher2, teacherB           string
	student1, student2, student3, studentB string
	guardian1                              string
	section1, section2, sectionB           string
	cw                                     courseworkWorld
	oc                                     outcomesWorld
}

var world *rlsWorld

// seed builds the world once; tests only read it (their transactions roll back).
func seed(t *testing.T) *rlsWorld {
	t.Helper()
	if world == nil {
		world = build(t)
		seedCoursework(t, world)
		seedGrading(t, world)
		seedOutcomes(t, world)
	}
	return world
}

func build(t *testing.T) *rlsWorld {
	t.Helper()
	ctx := context.Background()
	d := lmstest.TenantDB(t)
	conn, err := pgx.Connect(ctx, d.AppURL())
	if err != nil {
		t.Fatal(err)
	}
	sys, err := pgx.Connect(ctx, d.SystemURL())
	if err != nil {
		t.Fatal(err)
	}
	w := &rlsWorld{dir: d, conn: conn, sys: sys}
	tx, err := sys.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	one := func(sql string, args ...any) string {
		var id string
		if err := tx.QueryRow(ctx, sql, args...).Scan(&id); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return id
	}
	w.schoolA = one("INSERT INTO schools (code, name, time_zone) VALUES ('A', 'School A', 'UTC') RETURNING id")
	w.schoolB = one("INSERT INTO schools (code, name, time_zone) VALUES ('B', 'School B', 'UTC') RETURNING id")
	user := func(email, role, school string) string {
		id := one("INSERT INTO users (email, display_name) VALUES ($1, $1) RETURNING id", email)
		var sch any
		if school != "" {
			sch = school
		}
		mustExec(t, tx, "INSERT INTO memberships (user_id, role, school_id) VALUES ($1, $2, $3)", id, role, sch)
		return id
	}
	w.dadmin = user("dadmin@d.org", "district_admin", "")
	w.sadminA = user("sadmin@a.org", "school_admin", w.schoolA)
	w.sadminB = user("sadmin@b.org", "school_admin", w.schoolB)
	w.teacher1 = user("t1@a.org", "teacher", w.schoolA)
	w.teacher2 = user("t2@a.org", "teacher", w.schoolA)
	w.teacherB = user("tb@b.org", "teacher", w.schoolB)
	w.student1 = user("s1@a.org", "student", w.schoolA)
	w.student2 = user("s2@a.org", "student", w.schoolA)
	w.student3 = user("s3@a.org", "student", w.schoolA)
	w.studentB = user("sb@b.org", "student", w.schoolB)
	w.guardian1 = user("g1@home.org", "guardian", w.schoolA)
	mustExec(t, tx, "INSERT INTO guardian_links (guardian_id, student_id) VALUES ($1, $2)", w.guardian1, w.student1)
	courseA := one("INSERT INTO courses (school_id, title) VALUES ($1, 'Algebra') RETURNING id", w.schoolA)
	courseB := one("INSERT INTO courses (school_id, title) VALUES ($1, 'Biology') RETURNING id", w.schoolB)
	w.section1 = one("INSERT INTO sections (school_id, course_id, title) VALUES ($1, $2, 'Algebra 1') RETURNING id", w.schoolA, courseA)
	w.section2 = one("INSERT INTO sections (school_id, course_id, title) VALUES ($1, $2, 'Algebra 2') RETURNING id", w.schoolA, courseA)
	w.sectionB = one("INSERT INTO sections (school_id, course_id, title) VALUES ($1, $2, 'Biology 1') RETURNING id", w.schoolB, courseB)
	enrol := func(section, school, user, role string) {
		mustExec(t, tx, "INSERT INTO enrollments (section_id, school_id, user_id, role) VALUES ($1, $2, $3, $4)", section, school, user, role)
	}
	enrol(w.section1, w.schoolA, w.teacher1, "teacher")
	enrol(w.section2, w.schoolA, w.teacher2, "teacher")
	enrol(w.sectionB, w.schoolB, w.teacherB, "teacher")
	enrol(w.section1, w.schoolA, w.student1, "student")
	enrol(w.section1, w.schoolA, w.student3, "student")
	enrol(w.section2, w.schoolA, w.student2, "student")
	enrol(w.sectionB, w.schoolB, w.studentB, "student")
	// Every user has a password; the attack tests look for these hashes.
	mustExec(t, tx, "INSERT INTO user_passwords (user_id, password_hash) SELECT id, $1 || email FROM users", hashMarker)
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return w
}

// hashMarker starts every seeded password hash.
const hashMarker = "argon2id-hash-of-"

func mustExec(t *testing.T, tx pgx.Tx, sql string, args ...any) {
	t.Helper()
	if _, err := tx.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// session signs a user in (as the LMS does, through the system login),
// acting in role at school, live for an hour unless told otherwise, and
// returns the session's token.
func (w *rlsWorld) session(t *testing.T, user, role, school string, expires time.Duration) string {
	t.Helper()
	token, hash := auth.NewToken()
	var sch any
	if school != "" {
		sch = school
	}
	_, err := w.sys.Exec(context.Background(), `INSERT INTO sessions (id_sha256, user_id, role, school_id, csrf_token,
		idle_expires_at, absolute_expires_at) VALUES ($1, $2, $3, $4, 'csrf', now() + $5 * interval '1 second', now() + interval '1 day')`,
		hash, user, role, sch, expires.Seconds())
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// begin starts a transaction on the app role acting through a new session.
func (w *rlsWorld) begin(t *testing.T, user, role, school string) pgx.Tx {
	t.Helper()
	token := w.session(t, user, role, school, time.Hour)
	tx, err := w.conn.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, tx, "SELECT bw_session_begin($1)", token)
	return tx
}

// as runs one query acting as a user and returns the first column of each row.
func (w *rlsWorld) as(t *testing.T, user, role, school, query string) []string {
	t.Helper()
	ctx := context.Background()
	tx := w.begin(t, user, role, school)
	defer tx.Rollback(ctx)
	rows, err := tx.Query(ctx, query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func same(t *testing.T, what string, got, want []string) {
	t.Helper()
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %v\n want %v", what, got, want)
	}
}

const emails = "SELECT email FROM users"

func TestTeacherSeesOnlyTheirSectionsRosters(t *testing.T) {
	w := seed(t)
	same(t, "teacher1 users", w.as(t, w.teacher1, "teacher", w.schoolA, emails),
		[]string{"t1@a.org", "s1@a.org", "s3@a.org", "g1@home.org"})
	same(t, "teacher1 sections", w.as(t, w.teacher1, "teacher", w.schoolA, "SELECT title FROM sections"), []string{"Algebra 1"})
	same(t, "teacher1 enrollments", w.as(t, w.teacher1, "teacher", w.schoolA,
		"SELECT u.email FROM enrollments e JOIN users u ON u.id = e.user_id"), []string{"t1@a.org", "s1@a.org", "s3@a.org"})
	same(t, "teacherB users", w.as(t, w.teacherB, "teacher", w.schoolB, emails), []string{"tb@b.org", "sb@b.org"})
}

func TestStudentSeesOnlyTheirOwnRecords(t *testing.T) {
	w := seed(t)
	// Their teacher's name, not their classmates.
	same(t, "student1 users", w.as(t, w.student1, "student", w.schoolA, emails), []string{"s1@a.org", "t1@a.org"})
	same(t, "student1 enrollments", w.as(t, w.student1, "student", w.schoolA,
		"SELECT u.email || ':' || e.role FROM enrollments e JOIN users u ON u.id = e.user_id"), []string{"s1@a.org:student", "t1@a.org:teacher"})
	same(t, "student1 guardian links", w.as(t, w.student1, "student", w.schoolA, "SELECT guardian_id::text FROM guardian_links"), []string{w.guardian1})
	same(t, "student1 memberships", w.as(t, w.student1, "student", w.schoolA, "SELECT role FROM memberships"), []string{"student"})
}

func TestGuardianSeesOnlyLinkedStudents(t *testing.T) {
	w := seed(t)
	same(t, "guardian1 users", w.as(t, w.guardian1, "guardian", w.schoolA, emails), []string{"g1@home.org", "s1@a.org", "t1@a.org"})
	same(t, "guardian1 enrollments", w.as(t, w.guardian1, "guardian", w.schoolA,
		"SELECT u.email || ':' || e.role FROM enrollments e JOIN users u ON u.id = e.user_id"), []string{"s1@a.org:student", "t1@a.org:teacher"})
	same(t, "guardian1 sections", w.as(t, w.guardian1, "guardian", w.schoolA, "SELECT title FROM sections"), []string{"Algebra 1"})
}

func TestSchoolAdminSeesOnlyTheirSchool(t *testing.T) {
	w := seed(t)
	same(t, "school admin users", w.as(t, w.sadminA, "school_admin", w.schoolA, emails),
		[]string{"sadmin@a.org", "t1@a.org", "t2@a.org", "s1@a.org", "s2@a.org", "s3@a.org", "g1@home.org"})
	same(t, "school admin sections", w.as(t, w.sadminA, "school_admin", w.schoolA, "SELECT title FROM sections"), []string{"Algebra 1", "Algebra 2"})
	same(t, "district admin sections", w.as(t, w.dadmin, "district_admin", "", "SELECT title FROM sections"), []string{"Algebra 1", "Algebra 2", "Biology 1"})
}

// Without a session, every table on the app role (but the operator's
// report) reads empty.
func TestNoActorContextSeesNothing(t *testing.T) {
	w := seed(t)
	ctx := context.Background()
	for _, table := range userTables(t, w.conn) {
		if table == "operator_status" {
			continue // readable by design: the operator's report holds no personal data
		}
		var n int
		if err := w.conn.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{table}.Sanitize()).Scan(&n); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		if n != 0 {
			t.Errorf("%s: %d rows visible without an actor", table, n)
		}
	}
	// Nor can it write.
	if _, err := w.conn.Exec(ctx, "INSERT INTO users (email, display_name) VALUES ('x@y.org', 'x')"); err == nil {
		t.Error("insert without an actor succeeded")
	}
}

// A session acting in a role its user does not hold establishes nothing.
func TestClaimingAnotherRoleIsRefused(t *testing.T) {
	w := seed(t)
	ctx := context.Background()
	token := w.session(t, w.teacher1, "district_admin", "", time.Hour)
	tx, _ := w.conn.Begin(ctx)
	defer tx.Rollback(ctx)
	_, err := tx.Exec(ctx, "SELECT bw_session_begin($1)", token)
	if err == nil || !strings.Contains(err.Error(), "does not hold this role") {
		t.Fatalf("teacher claimed district_admin: %v", err)
	}
}

func TestTeacherCannotWriteUsers(t *testing.T) {
	w := seed(t)
	ctx := context.Background()
	tx := w.begin(t, w.teacher1, "teacher", w.schoolA)
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "INSERT INTO users (email, display_name) VALUES ('new@a.org', 'New')"); err == nil {
		t.Fatal("a teacher created a user")
	}
}

func TestSetRoleToOwnerIsRefused(t *testing.T) {
	w := seed(t)
	var owner string
	if err := w.conn.QueryRow(context.Background(), "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'public'").Scan(&owner); err != nil {
		t.Fatal(err)
	}
	_, err := w.conn.Exec(context.Background(), "SET ROLE "+pgx.Identifier{owner}.Sanitize())
	if err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Fatalf("SET ROLE %s: %v", owner, err)
	}
}

// Every table in the schema has row-level security enabled and forced, so
// a table added by a later migration cannot forget it.
func TestEveryTableForcesRowLevelSecurity(t *testing.T) {
	w := seed(t)
	rows, err := w.conn.Query(context.Background(), `
		SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')`)
	if err != nil {
		t.Fatal(err)
	}
	type tbl struct {
		Name           string
		Enabled, Force bool
	}
	tables, err := pgx.CollectRows(rows, pgx.RowToStructByPos[tbl])
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) < 15 {
		t.Fatalf("only %d tables found", len(tables))
	}
	for _, tb := range tables {
		if !tb.Enabled || !tb.Force {
			t.Errorf("table %s: row level security enabled=%v forced=%v", tb.Name, tb.Enabled, tb.Force)
		}
	}
}

func userTables(t *testing.T, conn *pgx.Conn) []string {
	rows, err := conn.Query(context.Background(), "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// A school admin may change the accounts and roles of their school's
// people, but not of a district admin who also holds a role at the school,
// nor of someone who also works at another school: those accounts are
// shared beyond the school.
func TestSchoolAdminChangesOnlyTheirSchoolsOwnPeople(t *testing.T) {
	w := seed(t)
	ctx := context.Background()
	// The system login narrows itself to the school admin, as an import
	// job does, so the setup rolls back with the test.
	tx, err := w.sys.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	// The district admin also teaches at A; teacherB also teaches at A.
	mustExec(t, tx, "INSERT INTO memberships (user_id, role, school_id) VALUES ($1, 'teacher', $2), ($3, 'teacher', $2)", w.dadmin, w.schoolA, w.teacherB)
	mustExec(t, tx, "SELECT bw_act_as($1, 'school_admin', $2)", w.sadminA, w.schoolA)
	updated := func(user string) int64 {
		t.Helper()
		tag, err := tx.Exec(ctx, "UPDATE users SET status = 'deactivated' WHERE id = $1", user)
		if err != nil {
			t.Fatalf("update %s: %v", user, err)
		}
		return tag.RowsAffected()
	}
	if n := updated(w.teacher1); n != 1 {
		t.Errorf("school admin could not deactivate a teacher of their school (%d rows)", n)
	}
	if n := updated(w.dadmin); n != 0 {
		t.Error("school admin deactivated a district admin who teaches at their school")
	}
	if n := updated(w.teacherB); n != 0 {
		t.Error("school admin deactivated a teacher who also works at another school")
	}
	tag, err := tx.Exec(ctx, "DELETE FROM memberships WHERE user_id = ANY ($1::uuid[]) AND school_id = $2", []string{w.dadmin, w.teacherB}, w.schoolA)
	if err != nil || tag.RowsAffected() != 0 {
		t.Errorf("school admin removed shared people's roles at their school: %v, %d rows", err, tag.RowsAffected())
	}
	if _, err := tx.Exec(ctx, "SAVEPOINT s"); err != nil {
		t.Fatal(err)
	}
	_, err = tx.Exec(ctx, "INSERT INTO memberships (user_id, role, school_id) VALUES ($1, 'school_admin', $2)", w.teacherB, w.schoolA)
	if err == nil || !strings.Contains(err.Error(), "row-level security") {
		t.Errorf("school admin gave a shared person a role at their school: %v", err)
	}
	if _, err := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT s"); err != nil {
		t.Fatal(err)
	}
	tag, err = tx.Exec(ctx, "DELETE FROM memberships WHERE user_id = $1 AND school_id = $2", w.teacher2, w.schoolA)
	if err != nil || tag.RowsAffected() != 1 {
		t.Errorf("school admin could not remove a role of their school's own teacher: %v, %d rows", err, tag.RowsAffected())
	}
}

// What bw_session_begin records lives and dies with its transaction: the next
// transaction on the same server connection (as behind PgBouncer in
// transaction mode, or a reused pool connection) starts with no actor and
// sees nothing, whether the first one committed or rolled back.
func TestActorContextDoesNotOutliveItsTransaction(t *testing.T) {
	w := seed(t)
	ctx := context.Background()
	for _, end := range []string{"COMMIT", "ROLLBACK"} {
		tx := w.begin(t, w.dadmin, "district_admin", "")
		var n int
		var err error
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM users").Scan(&n); err != nil || n == 0 {
			t.Fatalf("district admin sees %d users (%v)", n, err)
		}
		if end == "COMMIT" {
			err = tx.Commit(ctx)
		} else {
			err = tx.Rollback(ctx)
		}
		if err != nil {
			t.Fatal(err)
		}
		var role *string
		var key string
		if err := w.conn.QueryRow(ctx, "SELECT bw_role(), current_setting('bw.context_key', true)").Scan(&role, &key); err != nil || role != nil || key != "" {
			t.Errorf("after %s the connection still acts as %v, key %q (%v)", end, role, key, err)
		}
		if err := w.conn.QueryRow(ctx, "SELECT count(*) FROM users").Scan(&n); err != nil || n != 0 {
			t.Errorf("after %s a new transaction sees %d users (%v)", end, n, err)
		}
	}
}
