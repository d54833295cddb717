package outcomes

import (
	"context"
	"slices"
	"strings"

	"bellwork.dev/bellwork/apps/lms/internal/audit"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// AssignmentOutcomes reads the outcomes attached to an assignment.
func AssignmentOutcomes(ctx context.Context, s *db.Scope, assignmentID string) ([]string, error) {
	var ids []string
	err := s.Tx.QueryRow(ctx, `SELECT outcome_ids::text[] FROM assignments WHERE id = $1`, assignmentID).Scan(&ids)
	return ids, domain.Wrap("assignment outcomes", err)
}

// SetAssignmentOutcomes attaches outcomes (each one the actor sees) to an
// assignment, records the change in the audit log with the old and new
// lists, and re-records the results of the work already graded, so the
// gradebook's mastery follows the new attachment at once.
func SetAssignmentOutcomes(ctx context.Context, s *db.Scope, assignmentID string, ids []string, requestID string) error {
	old, err := AssignmentOutcomes(ctx, s, assignmentID)
	if err != nil {
		return err
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	if len(ids) > 0 {
		var n int
		if err := s.Tx.QueryRow(ctx, `SELECT count(*) FROM outcomes WHERE id::text = ANY ($1::text[])`, ids).Scan(&n); err != nil {
			return domain.Wrap("check outcomes", err)
		}
		if n != len(ids) {
			return validate.Errors{{Field: "outcomes", Message: "An outcome you chose no longer exists: reload the page and choose again."}}
		}
	}
	slices.Sort(old)
	if slices.Equal(old, ids) {
		return nil
	}
	if ids == nil {
		ids = []string{}
	}
	tag, err := s.Tx.Exec(ctx, `UPDATE assignments SET outcome_ids = $2::uuid[], updated_at = now() WHERE id = $1`, assignmentID, ids)
	if err != nil {
		return refused("attach outcomes", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.ErrNotFound
	}
	if err := audit.Audit(ctx, s, "assignment.outcomes", assignmentID, map[string]any{"old": old, "new": ids}, requestID); err != nil {
		return err
	}
	return Rerecord(ctx, s, assignmentID, "outcomes attached to the assignment changed")
}

// Rerecord re-records the outcome results of an assignment's graded work
// (the trigger on grades runs again for each grade; the grades' own trail
// ignores an update that changes nothing).
func Rerecord(ctx context.Context, s *db.Scope, assignmentID, reason string) error {
	if _, err := s.Tx.Exec(ctx, `SELECT set_config('bw.grade_reason', $1, true)`, strings.TrimSpace(reason)); err != nil {
		return domain.Wrap("outcome reason", err)
	}
	_, err := s.Tx.Exec(ctx, `UPDATE grades SET updated_at = updated_at WHERE assignment_id = $1`, assignmentID)
	return refused("re-record outcome results", err)
}

// RerecordRubric re-records the results of every assignment using a rubric
// (after its criteria's outcomes changed) that the actor grades.
func RerecordRubric(ctx context.Context, s *db.Scope, rubricID string) error {
	if _, err := s.Tx.Exec(ctx, `SELECT set_config('bw.grade_reason', 'rubric criteria outcomes changed', true)`); err != nil {
		return domain.Wrap("outcome reason", err)
	}
	_, err := s.Tx.Exec(ctx, `UPDATE grades SET updated_at = updated_at
		WHERE assignment_id IN (SELECT id FROM assignments WHERE rubric_id = $1)
		  AND section_id = ANY ((SELECT bw_sections())::uuid[])`, rubricID)
	return refused("re-record outcome results", err)
}
