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
	"bellwork.dev/bellwork/pkg/directory"
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

// verifiedBeforeVersion is the last migration of the release that read the
// verified context through bw_context()'s tuplestore (00007 made it cheaper).
const verifiedBeforeVersion = 6

// newDistrict is a database at this release (version 0) or at an earlier
// one with the verified context, seeded through the system login, with a
// live session for the teacher.
func newDistrict(b *testing.B, ctx context.Context, version int64) *benchDistrict {
	var d directory.Database
	if version == 0 {
		d = lmstest.TenantDB(b)
	} else {
		var err error
		if d, err = lmstest.Provision(ctx, lmstest.Server, fmt.Sprintf("bench_v%d_%d", version, time.Now().UnixNano()%1e6)); err != nil {
			b.Fatal(err)
		}
		if err := migrations.RunTo(ctx, d.OwnerURL(), version); err != nil {
			b.Fatal(err)
		}
	}
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
// context in the owner's temporary table, read it through
// bw_context_row()) against the release before 00007 (the same, read
// through bw_context()'s tuplestore) and the release before the verified
// context (bw_begin: trust the arguments, write settings), alone and with
// one policy-guarded read. Rounds alternate between them so drift in the
// machine's load hits all. It reports microseconds per transaction and the
// ratios; it asserts nothing about speed.
//
//	make bench   (or: go test -run '^$' -bench ContextCost -benchtime 1x ./apps/lms/internal/db/)
func BenchmarkContextCost(b *testing.B) {
	ctx := context.Background()
	old, prev, cur := oldDistrict(b, ctx), newDistrict(b, ctx, verifiedBeforeVersion), newDistrict(b, ctx, 0)
	defer old.app.Close(ctx)
	defer prev.app.Close(ctx)
	defer cur.app.Close(ctx)
	// All see the same 31 users (the teacher and their section), so the
	// read does the same work.
	for _, d := range []*benchDistrict{old, prev, cur} {
		n, err := d.tx(ctx, true)
		if err != nil {
			b.Fatal(err)
		}
		if n != 31 {
			b.Fatalf("the teacher sees %d users, want 31", n)
		}
	}
	const rounds, perRound = 10, 300
	var oldBegin, prevBegin, curBegin, oldRead, prevRead, curRead time.Duration
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
		prevBegin += measure(prev, false)
		curBegin += measure(cur, false)
		oldRead += measure(old, true)
		prevRead += measure(prev, true)
		curRead += measure(cur, true)
	}
	b.StopTimer()
	per := func(d time.Duration) float64 { return float64(d.Microseconds()) / (rounds * perRound) }
	b.ReportMetric(per(oldBegin), "bw_begin-us/tx")
	b.ReportMetric(per(prevBegin), "session_begin_v6-us/tx")
	b.ReportMetric(per(curBegin), "session_begin-us/tx")
	b.ReportMetric(per(curBegin)/per(oldBegin), "begin-ratio")
	b.ReportMetric(per(oldRead), "bw_begin+read-us/tx")
	b.ReportMetric(per(prevRead), "session_begin_v6+read-us/tx")
	b.ReportMetric(per(curRead), "session_begin+read-us/tx")
	b.ReportMetric(per(curRead)/per(oldRead), "begin+read-ratio")
	fmt.Printf("\nEstablishing the RLS context, one connection, %d transactions each (same Postgres, same run):\n"+
		"                                                bw_begin   verified, v6   verified, now   now/bw_begin   now/v6\n"+
		"  BEGIN; context; COMMIT                        %7.1f us   %7.1f us     %7.1f us       %.2f           %.2f\n"+
		"  BEGIN; context; read 31 of 231 users; COMMIT  %7.1f us   %7.1f us     %7.1f us       %.2f           %.2f\n",
		rounds*perRound,
		per(oldBegin), per(prevBegin), per(curBegin), per(curBegin)/per(oldBegin), per(curBegin)/per(prevBegin),
		per(oldRead), per(prevRead), per(curRead), per(curRead)/per(oldRead), per(curRead)/per(prevRead))
}
