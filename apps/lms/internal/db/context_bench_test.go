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

// benchDistrict is one school with a teacher whose section has 30 students
// (and 200 other students the teacher must not see).
type benchDistrict struct {
	app              *pgx.Conn
	teacher, school  string
	establish, query string
	args             []any
}

// oldContextVersion is the last migration of the release that set the
// context with bw_begin's settings.
const oldContextVersion = 3

func seedBench(b *testing.B, ctx context.Context, tx pgx.Tx) (teacher, school string) {
	b.Helper()
	one := func(sql string, args ...any) string {
		var id string
		if err := tx.QueryRow(ctx, sql, args...).Scan(&id); err != nil {
			b.Fatalf("%s: %v", sql, err)
		}
		return id
	}
	school = one("INSERT INTO schools (code, name, time_zone) VALUES ('B', 'Bench', 'UTC') RETURNING id")
	course := one("INSERT INTO courses (school_id, title) VALUES ($1, 'Algebra') RETURNING id", school)
	section := one("INSERT INTO sections (school_id, course_id, title) VALUES ($1, $2, 'Algebra 1') RETURNING id", school, course)
	other := one("INSERT INTO sections (school_id, course_id, title) VALUES ($1, $2, 'Algebra 2') RETURNING id", school, course)
	teacher = one("INSERT INTO users (email, display_name) VALUES ('t@b.org', 'T') RETURNING id")
	if _, err := tx.Exec(ctx, "INSERT INTO memberships (user_id, role, school_id) VALUES ($1, 'teacher', $2)", teacher, school); err != nil {
		b.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "INSERT INTO enrollments (section_id, school_id, user_id, role) VALUES ($1, $2, $3, 'teacher')", section, school, teacher); err != nil {
		b.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `WITH s AS (INSERT INTO users (email, display_name)
			SELECT 's' || i || '@b.org', 'S' || i FROM generate_series(1, 230) i RETURNING id, email),
		m AS (INSERT INTO memberships (user_id, role, school_id) SELECT id, 'student', $1 FROM s)
		INSERT INTO enrollments (section_id, school_id, user_id, role)
		SELECT CASE WHEN split_part(email, '@', 1) IN (SELECT 's' || i FROM generate_series(1, 30) i) THEN $2::uuid ELSE $3::uuid END,
			$1, id, 'student' FROM s`, school, section, other); err != nil {
		b.Fatal(err)
	}
	return teacher, school
}

// oldDistrict is a database at the release before (context from bw_begin's
// settings), seeded through bw_begin(NULL, 'system', NULL) as it was.
func oldDistrict(b *testing.B, ctx context.Context) *benchDistrict {
	d, err := lmstest.Provision(ctx, lmstest.Server, fmt.Sprintf("bench_old_%d", time.Now().UnixNano()%1e6))
	if err != nil {
		b.Fatal(err)
	}
	if err := migrations.RunTo(ctx, d.OwnerURL(), oldContextVersion); err != nil {
		b.Fatal(err)
	}
	app, err := pgx.Connect(ctx, d.AppURL())
	if err != nil {
		b.Fatal(err)
	}
	tx, _ := app.Begin(ctx)
	if _, err := tx.Exec(ctx, "SELECT bw_begin(NULL, 'system', NULL)"); err != nil {
		b.Fatal(err)
	}
	teacher, school := seedBench(b, ctx, tx)
	if err := tx.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	return &benchDistrict{app: app, teacher: teacher, school: school,
		establish: "SELECT bw_begin($1, 'teacher', $2)", args: []any{teacher, school}}
}

// newDistrict is a database at this release, seeded through the system
// login, with a live session for the teacher.
func newDistrict(b *testing.B, ctx context.Context) *benchDistrict {
	d := lmstest.TenantDB(b)
	sys, err := pgx.Connect(ctx, d.SystemURL())
	if err != nil {
		b.Fatal(err)
	}
	defer sys.Close(ctx)
	tx, _ := sys.Begin(ctx)
	teacher, school := seedBench(b, ctx, tx)
	token, hash := auth.NewToken()
	if _, err := tx.Exec(ctx, `INSERT INTO sessions (id_sha256, user_id, role, school_id, csrf_token, idle_expires_at, absolute_expires_at)
		VALUES ($1, $2, 'teacher', $3, 'x', now() + interval '1 day', now() + interval '1 day')`, hash, teacher, school); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	app, err := pgx.Connect(ctx, d.AppURL())
	if err != nil {
		b.Fatal(err)
	}
	return &benchDistrict{app: app, teacher: teacher, school: school,
		establish: "SELECT bw_session_begin($1)", args: []any{token}}
}

// tx runs one transaction: establish the context, optionally read the
// teacher's roster through the policies, commit.
func (d *benchDistrict) tx(ctx context.Context, read bool) (int, error) {
	tx, err := d.app.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, d.establish, d.args...); err != nil {
		return 0, err
	}
	n := 0
	if read {
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM users").Scan(&n); err != nil {
			return 0, err
		}
	}
	return n, tx.Commit(ctx)
}

// BenchmarkContextCost measures, in one run on one Postgres server, what a
// transaction costs to establish its row-level-security context today
// (bw_session_begin: verify the session by its token hash, record the
// context in the owner's temporary table) against the release before
// (bw_begin: trust the arguments, write settings), alone and with one
// policy-guarded read. Rounds alternate between the two so drift in the
// machine's load hits both. It reports microseconds per transaction and
// the ratios; it asserts nothing about speed.
//
//	make bench   (or: go test -run '^$' -bench ContextCost -benchtime 1x ./apps/lms/internal/db/)
func BenchmarkContextCost(b *testing.B) {
	ctx := context.Background()
	old, cur := oldDistrict(b, ctx), newDistrict(b, ctx)
	defer old.app.Close(ctx)
	defer cur.app.Close(ctx)
	// Both see the same 31 users (the teacher and their section), so the
	// read does the same work.
	for _, d := range []*benchDistrict{old, cur} {
		n, err := d.tx(ctx, true)
		if err != nil {
			b.Fatal(err)
		}
		if n != 31 {
			b.Fatalf("the teacher sees %d users, want 31", n)
		}
	}
	const rounds, perRound = 10, 300
	var oldBegin, curBegin, oldRead, curRead time.Duration
	measure := func(d *benchDistrict, read bool) time.Duration {
		start := time.Now()
		for range perRound {
			if _, err := d.tx(ctx, read); err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start)
	}
	b.ResetTimer()
	for range rounds {
		oldBegin += measure(old, false)
		curBegin += measure(cur, false)
		oldRead += measure(old, true)
		curRead += measure(cur, true)
	}
	b.StopTimer()
	per := func(d time.Duration) float64 { return float64(d.Microseconds()) / (rounds * perRound) }
	b.ReportMetric(per(oldBegin), "bw_begin-us/tx")
	b.ReportMetric(per(curBegin), "session_begin-us/tx")
	b.ReportMetric(per(curBegin)/per(oldBegin), "begin-ratio")
	b.ReportMetric(per(oldRead), "bw_begin+read-us/tx")
	b.ReportMetric(per(curRead), "session_begin+read-us/tx")
	b.ReportMetric(per(curRead)/per(oldRead), "begin+read-ratio")
	fmt.Printf("\nEstablishing the RLS context, one connection, %d transactions each (same Postgres, same run):\n"+
		"  BEGIN; context; COMMIT                         bw_begin (before) %7.1f us   bw_session_begin (now) %7.1f us   ratio %.2f\n"+
		"  BEGIN; context; read 31 of 231 users; COMMIT   bw_begin (before) %7.1f us   bw_session_begin (now) %7.1f us   ratio %.2f\n",
		rounds*perRound, per(oldBegin), per(curBegin), per(curBegin)/per(oldBegin), per(oldRead), per(curRead), per(curRead)/per(oldRead))
}
