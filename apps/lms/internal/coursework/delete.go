package coursework

import (
	"context"

	"bellwork.dev/bellwork/apps/lms/internal/audit"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
)

// Removal is what deleting an assignment did.
type Removal string

const (
	// Removed: nobody had handed anything in or been graded, so the
	// assignment, its overrides and attachments are gone.
	Removed Removal = "deleted"
	// Archived: it had submissions or grades, so it is marked deleted and
	// leaves every page, the gradebook and grades, while its submissions,
	// grades and their trail stay in the database.
	Archived Removal = "archived"
)

// Use is what an assignment holds that a delete must keep.
type Use struct {
	Submissions int `json:"submissions"`
	Grades      int `json:"grades"`
}

// Kept reports whether deleting it would keep it, marked deleted.
func (u Use) Kept() bool { return u.Submissions > 0 || u.Grades > 0 }

// AssignmentUse counts an assignment's submissions and grades, for the
// confirm page (its teacher sees all of them).
func AssignmentUse(ctx context.Context, s *db.Scope, id string) (Use, error) {
	var u Use
	err := s.Tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM submissions WHERE assignment_id = $1),
		(SELECT count(*) FROM grades WHERE assignment_id = $1)`, id).Scan(&u.Submissions, &u.Grades)
	return u, domain.Wrap("assignment use", err)
}

// DeleteAssignment deletes an assignment the actor teaches every section
// of (bw_delete_assignment decides, in the database): one with submissions
// or grades is archived, any other removed. The audit log records which.
func DeleteAssignment(ctx context.Context, s *db.Scope, id, requestID string) (Removal, error) {
	a, err := GetAssignment(ctx, s, id)
	if err != nil {
		return "", err
	}
	var done *string
	if err := s.Tx.QueryRow(ctx, `SELECT bw_delete_assignment($1)`, id).Scan(&done); err != nil {
		return "", refused("delete assignment", err)
	}
	if done == nil {
		return "", domain.ErrNotFound
	}
	r := Removal(*done)
	return r, audit.Audit(ctx, s, "assignment."+string(r), a.ID, map[string]any{"title": a.Title, "sections": a.SectionIDs}, requestID)
}
