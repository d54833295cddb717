package coursework

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// refused maps what the database refuses to what the caller can act on:
// a row-level security refusal (a section the teacher does not teach, work
// that is closed) is db.ErrForbidden; a reference to a group, rubric or
// file that does not exist, or a group or rubric that does not belong with
// the assignment, is invalid input.
func refused(what string, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "42501":
			return fmt.Errorf("%s: %w", what, db.ErrForbidden)
		case "23001": // a trigger keeping what is in use (migration 00026)
			return validate.Problem("This is still in use, so it cannot be changed that way. Reload the page to see why.")
		case "23514": // a trigger checking an assignment's group and rubric (migration 00029)
			switch pgErr.ConstraintName {
			case "assignment_group_section":
				return validate.Errors{{Field: "groupId", Message: groupElsewhere}}
			case "assignment_rubric_school":
				return validate.Errors{{Field: "rubricId", Message: rubricElsewhere}}
			}
		case "23503":
			return validate.Problem("Something this refers to no longer exists: reload the page and try again.")
		}
	}
	return domain.Wrap(what, err)
}
