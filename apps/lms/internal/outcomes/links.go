package outcomes

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

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
	slices.Sort(old)
	if len(ids) > 0 {
		var n int
		var archived []string
		if err := s.Tx.QueryRow(ctx, `SELECT count(*), coalesce(array_agg(title ORDER BY title) FILTER (WHERE archived_at IS NOT NULL
			AND NOT id::text = ANY ($2::text[])), '{}') FROM outcomes WHERE id::text = ANY ($1::text[])`, ids, old).Scan(&n, &archived); err != nil {
			return domain.Wrap("check outcomes", err)
		}
		if n != len(ids) {
			return validate.Errors{{Field: "outcomes", Message: "An outcome you chose no longer exists: reload the page and choose again."}}
		}
		if len(archived) > 0 {
			return validate.Errors{{Field: "outcomes", Message: fmt.Sprintf("%q is archived: restore it before attaching it to more work.", archived[0])}}
		}
	}
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

// AttachToAssignment attaches one outcome to an assignment (keeping the
// others), with the reason in the outcome's trail; attaching it again
// changes nothing.
func AttachToAssignment(ctx context.Context, s *db.Scope, assignmentID, outcomeID, reason, requestID string) error {
	return changeAssignmentOutcomes(ctx, s, assignmentID, reason, requestID, func(ids []string) []string {
		return append(ids, outcomeID)
	})
}

// DetachFromAssignment removes one outcome from an assignment. The results
// already recorded from the assignment's grades for that outcome are
// removed with the attachment (the trail keeps each one); the outcome, its
// other results and its trail stay.
func DetachFromAssignment(ctx context.Context, s *db.Scope, assignmentID, outcomeID, reason, requestID string) error {
	return changeAssignmentOutcomes(ctx, s, assignmentID, reason, requestID, func(ids []string) []string {
		return slices.DeleteFunc(ids, func(id string) bool { return id == outcomeID })
	})
}

func changeAssignmentOutcomes(ctx context.Context, s *db.Scope, assignmentID, reason, requestID string, change func([]string) []string) error {
	if len(reason) > 500 {
		return validate.Errors{{Field: "reason", Message: "Keep the reason under 500 characters."}}
	}
	ids, err := AssignmentOutcomes(ctx, s, assignmentID)
	if err != nil {
		return err
	}
	if err := setReason(ctx, s, reason); err != nil {
		return err
	}
	return SetAssignmentOutcomes(ctx, s, assignmentID, change(slices.Clone(ids)), requestID)
}

// SetCriterionOutcome links criterion index (from 0) of a rubric the actor
// owns to an outcome, or unlinks it (outcomeID ""), records the change in
// the outcome's trail with the reason, and re-records the results of work
// graded with the rubric. Linking an archived outcome anew is refused.
func SetCriterionOutcome(ctx context.Context, s *db.Scope, rubricID string, index int, outcomeID, reason string) error {
	if len(reason) > 500 {
		return validate.Errors{{Field: "reason", Message: "Keep the reason under 500 characters."}}
	}
	var count int
	var current, owner string
	err := s.Tx.QueryRow(ctx, `SELECT jsonb_array_length(criteria), coalesce(criteria->($2::int)->>'outcomeId', ''), owner_id::text
		FROM rubrics WHERE id = $1`, rubricID, index).Scan(&count, &current, &owner)
	if err != nil {
		return domain.Wrap("rubric criterion", err)
	}
	if owner != s.Actor.UserID {
		return fmt.Errorf("rubric criterion: %w", db.ErrForbidden)
	}
	if index < 0 || index >= count {
		return validate.Errors{{Field: "criterion", Message: fmt.Sprintf("The rubric has criteria 0 to %d: choose one of those.", count-1)}}
	}
	if outcomeID == current {
		return nil
	}
	if outcomeID != "" {
		o, err := Get(ctx, s, outcomeID)
		if domain.IsNotFound(err) {
			return validate.Errors{{Field: "outcomeId", Message: "There is no such outcome, or you cannot use it: choose one listed for your sections."}}
		}
		if err != nil {
			return err
		}
		if o.Archived() {
			return validate.Errors{{Field: "outcomeId", Message: fmt.Sprintf("%q is archived: restore it before attaching it to more work.", o.Title)}}
		}
	}
	if err := setReason(ctx, s, reason); err != nil {
		return err
	}
	path := []string{strconv.Itoa(index), "outcomeId"}
	if outcomeID == "" {
		_, err = s.Tx.Exec(ctx, `UPDATE rubrics SET criteria = criteria #- $2::text[], updated_at = now() WHERE id = $1`, rubricID, path)
	} else {
		_, err = s.Tx.Exec(ctx, `UPDATE rubrics SET criteria = jsonb_set(criteria, $2::text[], to_jsonb($3::text)), updated_at = now()
			WHERE id = $1`, rubricID, path, outcomeID)
	}
	if err != nil {
		return linkRefused(err)
	}
	return RerecordRubric(ctx, s, rubricID)
}

// linkRefused explains the database's refusal to change the criteria of a
// rubric that rated grades (migration 00030 lets a change of outcomes
// alone through, so this is a guard, not the usual path).
func linkRefused(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23001" {
		return validate.Problem("This rubric has already rated grades, so its criteria cannot change. Reload the page and try again.")
	}
	return refused("link rubric criterion", err)
}
