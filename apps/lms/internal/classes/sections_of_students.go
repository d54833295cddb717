package classes

import (
	"context"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
)

// SectionsOfStudents lists the sections each of several students learns in,
// in one query (a guardian's children, say; row-level security decides
// whose the actor may see), each student's by period and title.
func SectionsOfStudents(ctx context.Context, s *db.Scope, studentIDs []string) (map[string][]Section, error) {
	rows, err := s.Tx.Query(ctx, `SELECT e.user_id::text AS student_id, x.* FROM enrollments e
		JOIN (`+sectionSelect+`) x ON x.id = e.section_id
		WHERE e.role = 'student' AND e.user_id = ANY ($1::uuid[]) ORDER BY x.period, x.title, x.id`, studentIDs)
	if err != nil {
		return nil, domain.Wrap("sections of students", err)
	}
	type row struct {
		StudentID string `db:"student_id"`
		Section
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[row])
	if err != nil {
		return nil, domain.Wrap("sections of students", err)
	}
	out := make(map[string][]Section, len(studentIDs))
	for _, r := range list {
		out[r.StudentID] = append(out[r.StudentID], r.Section)
	}
	return out, nil
}
