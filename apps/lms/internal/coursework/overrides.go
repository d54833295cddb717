package coursework

import (
	"context"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// SetDueOverride gives a section (sectionID set) or a student (studentID
// set) of the assignment its own due date, read in the school's time zone;
// an empty value removes the override.
func SetDueOverride(ctx context.Context, s *db.Scope, assignmentID, sectionID, studentID, value string) error {
	a, err := GetAssignment(ctx, s, assignmentID)
	if err != nil {
		return err
	}
	if (sectionID == "") == (studentID == "") {
		return validate.Problem("An override is for one section or one student.")
	}
	due, err := ParseLocal(value, a.TimeZone)
	if err != nil {
		return validate.Errors{{Field: "due", Message: "Enter the due date as a date and time."}}
	}
	if _, err := s.Tx.Exec(ctx, `DELETE FROM assignment_overrides WHERE assignment_id = $1
		AND section_id IS NOT DISTINCT FROM $2 AND student_id IS NOT DISTINCT FROM $3`,
		assignmentID, domain.Nullable(sectionID), domain.Nullable(studentID)); err != nil {
		return refused("clear override", err)
	}
	if due == nil {
		return nil
	}
	_, err = s.Tx.Exec(ctx, `INSERT INTO assignment_overrides (assignment_id, school_id, section_id, student_id, due_at)
		VALUES ($1, $2, $3, $4, $5)`, assignmentID, a.SchoolID, domain.Nullable(sectionID), domain.Nullable(studentID), due)
	return refused("set override", err)
}

// DueDates reads an assignment's due date and the overrides the actor may see.
func DueDates(ctx context.Context, s *db.Scope, a *Assignment) (Due, error) {
	d := Due{Default: a.DueAt, BySection: map[string]time.Time{}, ByStudent: map[string]time.Time{}}
	rows, err := s.Tx.Query(ctx, `SELECT coalesce(section_id::text, ''), coalesce(student_id::text, ''), due_at
		FROM assignment_overrides WHERE assignment_id = $1`, a.ID)
	if err != nil {
		return d, domain.Wrap("overrides", err)
	}
	defer rows.Close()
	for rows.Next() {
		var section, student string
		var at time.Time
		if err := rows.Scan(&section, &student, &at); err != nil {
			return d, err
		}
		if student != "" {
			d.ByStudent[student] = at
		} else {
			d.BySection[section] = at
		}
	}
	return d, domain.Wrap("overrides", rows.Err())
}
