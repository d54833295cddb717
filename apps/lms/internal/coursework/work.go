package coursework

import (
	"context"
	"encoding/json"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
)

// StudentWork is where one student stands on one assignment: their latest
// attempt, their grade (as the actor may see it) and the derived state.
type StudentWork struct {
	StudentID   string     `json:"studentId"`
	Name        string     `json:"name"`
	SectionID   string     `json:"sectionId"`
	Attempts    int        `json:"attempts"`
	SubmittedAt *time.Time `json:"submittedAt,omitempty"`
	Due         *time.Time `json:"dueAt,omitempty"`
	Grade       *Grade     `json:"grade,omitempty"`
	State       State      `json:"state"`
}

// Roster lists every student of the assignment's sections the actor sees,
// by name, with their work: for a teacher, the grading view's list.
func Roster(ctx context.Context, s *db.Scope, a *Assignment, now time.Time) ([]StudentWork, error) {
	due, err := DueDates(ctx, s, a)
	if err != nil {
		return nil, err
	}
	rows, err := s.Tx.Query(ctx, `SELECT DISTINCT ON (u.family_name, u.given_name, u.id) u.id, u.display_name, e.section_id,
		(SELECT count(*) FROM submissions x WHERE x.assignment_id = $1 AND x.student_id = u.id)::int,
		(SELECT max(x.submitted_at) FROM submissions x WHERE x.assignment_id = $1 AND x.student_id = u.id),
		(SELECT to_jsonb(g) FROM (`+gradeSelect+` WHERE assignment_id = $1 AND student_id = u.id) g)
		FROM enrollments e JOIN users u ON u.id = e.user_id
		WHERE e.role = 'student' AND e.section_id = ANY ($2::uuid[])
		ORDER BY u.family_name, u.given_name, u.id, e.created_at`, a.ID, a.SectionIDs)
	if err != nil {
		return nil, domain.Wrap("roster", err)
	}
	defer rows.Close()
	var out []StudentWork
	for rows.Next() {
		var w StudentWork
		var grade []byte
		if err := rows.Scan(&w.StudentID, &w.Name, &w.SectionID, &w.Attempts, &w.SubmittedAt, &grade); err != nil {
			return nil, err
		}
		if grade != nil {
			w.Grade = &Grade{}
			if err := decodeGrade(grade, w.Grade); err != nil {
				return nil, err
			}
		}
		w.Due = due.For(w.SectionID, w.StudentID)
		w.State = Status(statusOf(w.Grade), w.Due, w.SubmittedAt, a.ExpectsSubmission(), now)
		out = append(out, w)
	}
	return out, domain.Wrap("roster", rows.Err())
}

// MyWork is a student's own standing on an assignment (their posted grade only).
func MyWork(ctx context.Context, s *db.Scope, a *Assignment, studentID string, now time.Time) (StudentWork, error) {
	w := StudentWork{StudentID: studentID}
	due, err := DueDates(ctx, s, a)
	if err != nil {
		return w, err
	}
	var grade []byte
	err = s.Tx.QueryRow(ctx, `SELECT coalesce((SELECT e.section_id::text FROM enrollments e WHERE e.user_id = $2 AND e.role = 'student'
			AND e.section_id = ANY ($3::uuid[]) ORDER BY e.created_at LIMIT 1), ''),
		(SELECT count(*) FROM submissions x WHERE x.assignment_id = $1 AND x.student_id = $2)::int,
		(SELECT max(x.submitted_at) FROM submissions x WHERE x.assignment_id = $1 AND x.student_id = $2),
		(SELECT to_jsonb(g) FROM (`+gradeSelect+` WHERE assignment_id = $1 AND student_id = $2) g)`,
		a.ID, studentID, a.SectionIDs).Scan(&w.SectionID, &w.Attempts, &w.SubmittedAt, &grade)
	if err != nil {
		return w, domain.Wrap("my work", err)
	}
	if grade != nil {
		w.Grade = &Grade{}
		if err := decodeGrade(grade, w.Grade); err != nil {
			return w, err
		}
	}
	w.Due = due.For(w.SectionID, studentID)
	w.State = Status(statusOf(w.Grade), w.Due, w.SubmittedAt, a.ExpectsSubmission(), now)
	return w, nil
}

func statusOf(g *Grade) *Override {
	if g == nil {
		return nil
	}
	return g.Status
}

// decodeGrade reads a grade row as to_jsonb wrote it (column names).
func decodeGrade(data []byte, g *Grade) error {
	var row struct {
		AssignmentID string         `json:"assignment_id"`
		StudentID    string         `json:"student_id"`
		SectionID    string         `json:"section_id"`
		Score        *float64       `json:"score"`
		Entered      string         `json:"entered"`
		Status       *Override      `json:"status"`
		Comment      string         `json:"comment"`
		RubricLevels map[string]int `json:"rubric_levels"`
		Posted       bool           `json:"posted"`
		PostedAt     *time.Time     `json:"posted_at"`
		UpdatedAt    time.Time      `json:"updated_at"`
	}
	if err := json.Unmarshal(data, &row); err != nil {
		return err
	}
	*g = Grade{AssignmentID: row.AssignmentID, StudentID: row.StudentID, SectionID: row.SectionID, Score: row.Score,
		Entered: row.Entered, Status: row.Status, Comment: row.Comment, RubricLevels: row.RubricLevels, Posted: row.Posted,
		PostedAt: row.PostedAt, UpdatedAt: row.UpdatedAt}
	return nil
}
