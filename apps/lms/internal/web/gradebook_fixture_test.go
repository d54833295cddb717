package web

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/lmstest"
	"bellwork.dev/bellwork/apps/lms/internal/people"
)

// seedGradebook fills d's section with students (the seeded student and
// students-1 more), four assignment groups of 25% each dropping their
// lowest score, a letter scheme, assignments published points assignments
// spread over the groups, and a posted grade for every student and
// assignment.
func seedGradebook(t testing.TB, d *district, students, assignments int) {
	t.Helper()
	ctx := context.Background()
	err := d.db.InTx(ctx, db.SystemActor(), func(s *db.Scope) error {
		for i := range students - 1 {
			u, err := people.CreateUser(ctx, s, people.NewUser{Email: fmt.Sprintf("s%d@%s.org", i, d.host), GivenName: "Student",
				FamilyName: fmt.Sprintf("%03d", i)}, db.Student, d.schoolA)
			if err != nil {
				return err
			}
			if _, err := s.Tx.Exec(ctx, `INSERT INTO enrollments (section_id, school_id, user_id, role) VALUES ($1, $2, $3, 'student')`,
				d.section, d.schoolA, u.ID); err != nil {
				return err
			}
		}
		if _, err := s.Tx.Exec(ctx, `INSERT INTO grading_settings (section_id, school_id, weighting, scheme) VALUES ($1, $2, 'percent',
			'[{"letter":"A","min":90},{"letter":"B","min":80},{"letter":"C","min":70},{"letter":"F","min":0}]')`, d.section, d.schoolA); err != nil {
			return err
		}
		if _, err := s.Tx.Exec(ctx, `INSERT INTO assignment_groups (section_id, school_id, name, weight, drop_lowest)
			SELECT $1, $2, 'Group ' || g, 25, 1 FROM generate_series(1, 4) g`, d.section, d.schoolA); err != nil {
			return err
		}
		if _, err := s.Tx.Exec(ctx, `INSERT INTO assignments (school_id, section_ids, group_id, title, grading_type, points_possible, published, due_at)
			SELECT $2, ARRAY[$1::uuid], (SELECT id FROM assignment_groups WHERE section_id = $1 AND name = 'Group ' || (1 + i % 4)),
			  'Assignment ' || i, 'points', 10, true, now() - make_interval(days => i) FROM generate_series(1, $3) i`,
			d.section, d.schoolA, assignments); err != nil {
			return err
		}
		_, err := s.Tx.Exec(ctx, `INSERT INTO grades (assignment_id, student_id, school_id, section_id, score, posted)
			SELECT a.id, e.user_id, $2, $1, (abs(hashtext(a.id::text || e.user_id::text)) % 11), true
			FROM assignments a, enrollments e WHERE $1::uuid = ANY (a.section_ids) AND e.section_id = $1 AND e.role = 'student'`,
			d.section, d.schoolA)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Plan with statistics, as a district's database has them (autovacuum
	// analyzes a table after bulk inserts; a table fresh from a fixture has
	// none, and the planner probes the grades one by one instead of joining).
	conn, err := pgx.Connect(ctx, lmstest.Server.AdminURL(d.entry.Database.Name))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
}
