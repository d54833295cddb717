package outcomes

import (
	"context"
	"math/big"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/grading/calc"
)

// Results reads the recorded outcome results of a section's students (those
// the actor may see: the database shows students and guardians only results
// of posted grades), by student, as grading/calc takes them.
func Results(ctx context.Context, s *db.Scope, sectionID string, studentIDs []string) (map[string][]calc.OutcomeResult, error) {
	// Results assessed at the same moment (re-recorded together after an
	// outcome was attached) are in the order of their assignments' due
	// dates, so the decaying average and "latest" follow the course.
	rows, err := s.Tx.Query(ctx, `SELECT r.student_id, r.outcome_id, r.assignment_id, r.score::text, r.assessed_at
		FROM outcome_results r JOIN assignments a ON a.id = r.assignment_id
		WHERE r.section_id = $1 AND r.student_id = ANY ($2::uuid[])
		ORDER BY r.assessed_at, a.due_at NULLS LAST, a.created_at, r.assignment_id, r.source`, sectionID, studentIDs)
	if err != nil {
		return nil, domain.Wrap("outcome results", err)
	}
	defer rows.Close()
	out := map[string][]calc.OutcomeResult{}
	for rows.Next() {
		var student, score string
		var r calc.OutcomeResult
		var at time.Time
		if err := rows.Scan(&student, &r.OutcomeID, &r.AssignmentID, &score, &at); err != nil {
			return nil, domain.Wrap("outcome results", err)
		}
		r.Score, _ = new(big.Rat).SetString(score)
		r.AssessedAt = at
		out[student] = append(out[student], r)
	}
	return out, domain.Wrap("outcome results", rows.Err())
}
