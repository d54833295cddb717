package web

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/grading"
	"bellwork.dev/bellwork/apps/lms/internal/lmstest"
)

// BenchmarkGradeRecompute changes a grading policy for a 2,000-student
// school (80 sections of 25 students, 100 graded assignments each, four
// weighted groups dropping their lowest score: 200,000 scores) and then
// recomputes every student's course grade through the database, the way
// the gradebook, the API and the guardian portal read them
// (grading.ForSection per section, in a transaction with row-level
// security). Grades are computed when read, not stored, so this is the
// time until every grade reflects the change. Beside it, in the same run
// at the same concurrency, the floor: the same 200,000 scores read with
// one plain pgx query per section. It prints seconds, grades per second
// and the ratio; issue 14 asks for the time and sets no goal for it.
//
//	make bench   (or: go test -run '^$' -bench GradeRecompute -benchtime 1x ./apps/lms/internal/web/)
func BenchmarkGradeRecompute(b *testing.B) {
	const students, perSection, assignments, workers = 2000, 25, 100, 4
	const sections = students / perSection
	d := newDistrict(b, "recompute")
	ctx := context.Background()
	ids := seedSchool(b, d, students, perSection, assignments)
	pool := d.db.Pool()

	recompute := func() (int, error) {
		var computed atomic.Int64
		err := eachSection(ids, workers, func(id string) error {
			return d.db.InTx(ctx, db.SystemActor(), func(s *db.Scope) error {
				sec, err := grading.ForSection(ctx, s, id, time.Now())
				if err != nil {
					return err
				}
				computed.Add(int64(len(sec.Students)))
				return nil
			})
		})
		return int(computed.Load()), err
	}
	floor := func() (int, error) {
		var read atomic.Int64
		err := eachSection(ids, workers, func(id string) error {
			rows, err := pool.Query(ctx, `SELECT assignment_id::text, student_id::text, score::text FROM grades WHERE section_id = $1`, id)
			if err != nil {
				return err
			}
			n := 0
			for rows.Next() {
				var a, st, score string
				if err := rows.Scan(&a, &st, &score); err != nil {
					return err
				}
				n++
			}
			read.Add(int64(n))
			return rows.Err()
		})
		return int(read.Load()), err
	}
	if _, err := recompute(); err != nil { // warm the pools and caches
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		err := d.db.InTx(ctx, db.SystemActor(), func(s *db.Scope) error {
			_, err := s.Tx.Exec(ctx, `UPDATE assignment_groups SET weight = CASE name WHEN 'Group 1' THEN 40 ELSE 20 END
				WHERE section_id = ANY ($1::uuid[])`, ids)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		change := time.Since(t0)
		t1 := time.Now()
		computed, err := recompute()
		if err != nil {
			b.Fatal(err)
		}
		took := time.Since(t1)
		if computed != students {
			b.Fatalf("recomputed %d grades, want %d", computed, students)
		}
		t2 := time.Now()
		scores, err := floor()
		if err != nil {
			b.Fatal(err)
		}
		floorTook := time.Since(t2)
		if scores != students*assignments {
			b.Fatalf("floor read %d scores, want %d", scores, students*assignments)
		}
		b.ReportMetric(took.Seconds(), "recompute-s")
		b.ReportMetric(float64(computed)/took.Seconds(), "grades/s")
		b.ReportMetric(floorTook.Seconds()/took.Seconds(), "floor/recompute-ratio")
		fmt.Printf("\nGrade recompute after a policy change: %d students in %d sections x %d assignments (%d scores), %d workers (same Postgres, same run):\n"+
			"  policy change (every section's group weights, one UPDATE): %v\n"+
			"  recompute every course grade through the database: %.2f s   %.0f grades/s   %.0f scores/s\n"+
			"  floor (the same scores, one plain pgx query per section): %.2f s\n"+
			"  ratio floor time / recompute time: %.3f   (issue 14 asks for the time; it sets no goal)\n",
			students, sections, assignments, students*assignments, workers, change.Round(time.Millisecond),
			took.Seconds(), float64(computed)/took.Seconds(), float64(students*assignments)/took.Seconds(), floorTook.Seconds(),
			floorTook.Seconds()/took.Seconds())
	}
}

// eachSection runs fn for every id from workers goroutines; the first
// error stops the rest.
func eachSection(ids []string, workers int, fn func(id string) error) error {
	next := make(chan string, len(ids))
	for _, id := range ids {
		next <- id
	}
	close(next)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range next {
				if err := fn(id); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// seedSchool adds to d's school A students in sections of perSection,
// each section with four groups of 25% dropping their lowest score, a
// letter scheme, assignments published points assignments and a posted
// grade for every student and assignment; it returns the section ids. It
// writes as the server's superuser with triggers off (bulk fixtures, not
// LMS behaviour: the grade audit trail is not what is measured), then
// VACUUM ANALYZE so the planner knows the sizes.
func seedSchool(t testing.TB, d *district, students, perSection, assignments int) []string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, lmstest.Server.AdminURL(d.entry.Database.Name))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	type step struct {
		sql  string
		args []any
	}
	school, n, per, work := d.schoolA, students, perSection, assignments
	for _, st := range []step{
		{`SET session_replication_role = replica`, nil},
		{`INSERT INTO users (email, display_name, given_name, family_name)
		 SELECT 'r' || i || '@recompute.example.org', 'Student ' || i, 'Student', 'R' || lpad(i::text, 5, '0') FROM generate_series(1, $1::int) i`,
			[]any{n}},
		{`INSERT INTO memberships (user_id, school_id, role) SELECT id, $1, 'student' FROM users WHERE email LIKE '%@recompute.example.org'`,
			[]any{school}},
		{`INSERT INTO sections (school_id, course_id, title)
		 SELECT $1, (SELECT course_id FROM sections LIMIT 1), 'Recompute ' || i FROM generate_series(1, $2::int / $3::int) i`,
			[]any{school, n, per}},
		{`INSERT INTO enrollments (section_id, school_id, user_id, role)
		 SELECT s.id, $1, u.id, 'student'
		 FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM sections WHERE title LIKE 'Recompute %') s
		 JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM users WHERE email LIKE '%@recompute.example.org') u ON u.n / $2::int = s.n`,
			[]any{school, per}},
		{`INSERT INTO grading_settings (section_id, school_id, weighting, scheme)
		 SELECT id, $1, 'percent', '[{"letter":"A","min":90},{"letter":"B","min":80},{"letter":"C","min":70},{"letter":"F","min":0}]'
		 FROM sections WHERE title LIKE 'Recompute %'`, []any{school}},
		{`INSERT INTO assignment_groups (section_id, school_id, name, weight, drop_lowest)
		 SELECT s.id, $1, 'Group ' || g, 25, 1 FROM sections s, generate_series(1, 4) g WHERE s.title LIKE 'Recompute %'`, []any{school}},
		{`INSERT INTO assignments (school_id, section_ids, group_id, title, grading_type, points_possible, published, due_at)
		 SELECT $1, ARRAY[s.id], (SELECT g.id FROM assignment_groups g WHERE g.section_id = s.id AND g.name = 'Group ' || (1 + i % 4)),
		   'Assignment ' || i, 'points', 10, true, now() - make_interval(days => i)
		 FROM sections s, generate_series(1, $2::int) i WHERE s.title LIKE 'Recompute %'`, []any{school, work}},
		{`INSERT INTO grades (assignment_id, student_id, school_id, section_id, score, posted)
		 SELECT a.id, e.user_id, $1, e.section_id, (abs(hashtext(a.id::text || e.user_id::text)) % 11), true
		 FROM enrollments e JOIN assignments a ON a.section_ids @> ARRAY[e.section_id]
		 WHERE e.role = 'student' AND e.user_id IN (SELECT id FROM users WHERE email LIKE '%@recompute.example.org')`, []any{school}},
		{`VACUUM ANALYZE`, nil},
	} {
		if _, err := conn.Exec(ctx, st.sql, st.args...); err != nil {
			t.Fatalf("%s: %v", st.sql, err)
		}
	}
	rows, err := conn.Query(ctx, `SELECT id::text FROM sections WHERE title LIKE 'Recompute %' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return ids
}
