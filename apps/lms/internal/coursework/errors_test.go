package coursework

import (
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// When the database's check on an assignment's group or rubric (migration
// 00029) refuses a write that slipped past checkRefs, the caller gets the
// same field message checkRefs gives.
func TestRefusedGroupOrRubricIsAFieldError(t *testing.T) {
	for constraint, want := range map[string]validate.FieldError{
		"assignment_group_section": {Field: "groupId", Message: groupElsewhere},
		"assignment_rubric_school": {Field: "rubricId", Message: rubricElsewhere},
	} {
		ve, ok := validate.As(refused("update assignment", &pgconn.PgError{Code: "23514", ConstraintName: constraint}))
		if !ok || len(ve) != 1 || ve[0] != want {
			t.Errorf("%s: %v, want %v", constraint, ve, want)
		}
	}
}
