package coursework

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// Submission is one attempt of a student at an assignment.
type Submission struct {
	ID           string    `db:"id" json:"id"`
	AssignmentID string    `db:"assignment_id" json:"assignmentId"`
	SectionID    string    `db:"section_id" json:"sectionId"`
	StudentID    string    `db:"student_id" json:"studentId"`
	Attempt      int       `db:"attempt" json:"attempt"`
	Kind         string    `db:"kind" json:"kind"`
	Body         *string   `db:"body" json:"body,omitempty"`
	URL          *string   `db:"url" json:"url,omitempty"`
	FileID       *string   `db:"file_id" json:"fileId,omitempty"`
	FileName     *string   `db:"file_name" json:"fileName,omitempty"`
	SubmittedAt  time.Time `db:"submitted_at" json:"submittedAt"`
}

// SubmissionInput is what a student hands in: text, a link, or a file they
// uploaded (FileID, from SaveUpload).
type SubmissionInput struct {
	Kind   string `json:"kind"`
	Body   string `json:"body"`
	URL    string `json:"url"`
	FileID string `json:"fileId"`
}

// maxTextSubmission bounds a text submission (about 100 pages).
const maxTextSubmission = 200_000

// Submit hands in a new attempt as the acting student; earlier attempts
// stay. The database sets the time and refuses work that is not open, not
// the student's, or a file that is not theirs.
func Submit(ctx context.Context, s *db.Scope, assignmentID string, in SubmissionInput, now time.Time) (*Submission, error) {
	a, err := GetAssignment(ctx, s, assignmentID)
	if err != nil {
		return nil, err
	}
	if !a.Open(now) {
		return nil, validate.Problem("This assignment is not open for submissions.")
	}
	if !a.Accepts(in.Kind) {
		return nil, validate.Errors{{Field: "kind", Message: "This assignment does not take that kind of submission."}}
	}
	var body, link, file any
	switch in.Kind {
	case "text":
		t := strings.TrimSpace(in.Body)
		if t == "" {
			return nil, validate.Errors{{Field: "body", Message: "Write something before you submit."}}
		}
		if len(t) > maxTextSubmission {
			return nil, validate.Errors{{Field: "body", Message: "The text is too long: keep it under 200,000 characters, or upload a file."}}
		}
		body = SanitizeInstructions(t)
	case "link":
		if !ValidLink(in.URL) {
			return nil, validate.Errors{{Field: "url", Message: "Enter a full web address starting with https://."}}
		}
		link = strings.TrimSpace(in.URL)
	case "file":
		if in.FileID == "" {
			return nil, validate.Errors{{Field: "file", Message: "Choose a file to upload."}}
		}
		file = in.FileID
	}
	var section string
	err = s.Tx.QueryRow(ctx, `SELECT e.section_id FROM enrollments e WHERE e.user_id = $1 AND e.role = 'student'
		AND e.section_id = ANY ($2::uuid[]) ORDER BY e.created_at LIMIT 1`, s.Actor.UserID, a.SectionIDs).Scan(&section)
	if err != nil {
		return nil, domain.Wrap("submission section", err)
	}
	var id string
	err = s.Tx.QueryRow(ctx, `INSERT INTO submissions (assignment_id, school_id, section_id, student_id, attempt, kind, body, url, file_id)
		VALUES ($1, $2, $3, $4, (SELECT coalesce(max(attempt), 0) + 1 FROM submissions WHERE assignment_id = $1 AND student_id = $4),
		$5, $6, $7, $8) RETURNING id`, a.ID, a.SchoolID, section, s.Actor.UserID, in.Kind, body, link, file).Scan(&id)
	if err != nil {
		return nil, refused("submit", err)
	}
	list, err := Attempts(ctx, s, a.ID, s.Actor.UserID)
	if err != nil {
		return nil, err
	}
	return &list[0], nil
}

// Attempts lists a student's attempts at an assignment, newest first.
func Attempts(ctx context.Context, s *db.Scope, assignmentID, studentID string) ([]Submission, error) {
	rows, err := s.Tx.Query(ctx, `SELECT s.id, s.assignment_id, s.section_id, s.student_id, s.attempt, s.kind, s.body, s.url, s.file_id,
		f.name AS file_name, s.submitted_at FROM submissions s LEFT JOIN files f ON f.id = s.file_id
		WHERE s.assignment_id = $1 AND s.student_id = $2 ORDER BY s.attempt DESC`, assignmentID, studentID)
	if err != nil {
		return nil, domain.Wrap("attempts", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Submission])
	return out, domain.Wrap("attempts", err)
}
