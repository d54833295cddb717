package people

import (
	"context"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"github.com/jackc/pgx/v5"
)

// Child is a guardian's linked student.
type Child struct {
	UserID      string  `db:"user_id" json:"userId"`
	DisplayName string  `db:"display_name" json:"displayName"`
	Grade       *string `db:"grade" json:"grade,omitempty"`
}

// MyChildren lists the acting guardian's linked students.
func MyChildren(ctx context.Context, s *db.Scope) ([]Child, error) {
	rows, err := s.Tx.Query(ctx, `SELECT u.id AS user_id, u.display_name, u.grade FROM guardian_links g
		JOIN users u ON u.id = g.student_id WHERE g.guardian_id = $1 ORDER BY u.given_name`, s.Actor.UserID)
	if err != nil {
		return nil, domain.Wrap("children", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Child])
	return out, domain.Wrap("children", err)
}

// LinkGuardian links a guardian to a student.
func LinkGuardian(ctx context.Context, s *db.Scope, guardianID, studentID string) error {
	_, err := s.Tx.Exec(ctx, `INSERT INTO guardian_links (guardian_id, student_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, guardianID, studentID)
	return domain.Wrap("link guardian", err)
}
