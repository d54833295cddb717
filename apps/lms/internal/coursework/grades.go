package coursework

import (
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/grading/calc"
	"bellwork.dev/bellwork/apps/lms/internal/rubrics"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// Grade is a student's grade on an assignment.
type Grade struct {
	AssignmentID string         `db:"assignment_id" json:"assignmentId"`
	StudentID    string         `db:"student_id" json:"studentId"`
	SectionID    string         `db:"section_id" json:"sectionId"`
	Score        *float64       `db:"score" json:"score,omitempty"`
	Entered      string         `db:"entered" json:"entered"`
	Status       *Override      `db:"status" json:"status,omitempty"`
	Comment      string         `db:"comment" json:"comment"`
	RubricLevels map[string]int `db:"rubric_levels" json:"rubricLevels"`
	Posted       bool           `db:"posted" json:"posted"`
	PostedAt     *time.Time     `db:"posted_at" json:"postedAt,omitempty"`
	UpdatedAt    time.Time      `db:"updated_at" json:"updatedAt"`
}

// GradeInput is what the grading view sends for one student.
type GradeInput struct {
	// Score is what the teacher typed: points, "complete"/"incomplete", or a letter.
	Score   string `json:"score"`
	Status  string `json:"status"` // "", late, missing, excused, none
	Comment string `json:"comment"`
	// RubricLevels are the level chosen per criterion (index as a string → level index).
	RubricLevels map[string]int `json:"rubricLevels"`
	// RubricScore, when set, is the rubric's total, used when Score is empty.
	RubricScore *float64 `json:"-"`
	Post        bool     `json:"post"`
	Reason      string   `json:"reason"`
}

// letterFloor is the lowest percentage that earns each letter, the common
// US scale: without a section scheme a letter grade is stored as that share
// of the points possible. With one (grading settings), a letter is worth the
// top of its band there, as the gradebook counts it.
var letterFloor = map[string]float64{"A": 94, "A-": 90, "B+": 87, "B": 84, "B-": 80, "C+": 77, "C": 74, "C-": 70,
	"D+": 67, "D": 64, "D-": 61, "F": 0}

// score reads what the teacher typed for an assignment of this type.
func (in GradeInput) score(a *Assignment, scheme *calc.Scheme) (*float64, string, error) {
	raw := strings.TrimSpace(in.Score)
	if raw == "" {
		if in.RubricScore != nil {
			return in.RubricScore, strconv.FormatFloat(*in.RubricScore, 'f', -1, 64), nil
		}
		return nil, "", nil
	}
	possible := 0.0
	if a.PointsPossible != nil {
		possible = *a.PointsPossible
	}
	switch a.GradingType {
	case NotGraded:
		return nil, "", validate.Errors{{Field: "score", Message: "This assignment is not graded: leave the score empty."}}
	case CompleteIncomplete:
		switch strings.ToLower(raw) {
		case "complete", "c", "1":
			return &possible, "complete", nil
		case "incomplete", "i", "0":
			zero := 0.0
			return &zero, "incomplete", nil
		}
		return nil, "", validate.Errors{{Field: "score", Message: "Enter complete or incomplete."}}
	case Letter:
		if scheme != nil {
			for _, e := range scheme.Entries {
				if strings.EqualFold(e.Letter, raw) {
					pct, err := scheme.PercentFor(e.Letter)
					if err != nil {
						return nil, "", err
					}
					f, _ := pct.Float64()
					v := possible * f / 100
					return &v, e.Letter, nil
				}
			}
			break
		}
		if floor, ok := letterFloor[strings.ToUpper(raw)]; ok {
			v := possible * floor / 100
			return &v, strings.ToUpper(raw), nil
		}
	}
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil || v < 0 || v > 100000 {
		msg := "Enter the score as a number of points, 0 or more."
		if a.GradingType == Letter {
			msg = "Enter a letter (A to F) or a number of points."
		}
		return nil, "", validate.Errors{{Field: "score", Message: msg}}
	}
	return &v, raw, nil
}

// SaveGrade records the teacher's grade for a student of one of the
// assignment's sections. The database appends the change, with the
// reason, to grade_audit.
func SaveGrade(ctx context.Context, s *db.Scope, assignmentID, studentID string, in GradeInput, now time.Time) (*Grade, error) {
	a, err := GetAssignment(ctx, s, assignmentID)
	if err != nil {
		return nil, err
	}
	var section string
	err = s.Tx.QueryRow(ctx, `SELECT section_id FROM enrollments WHERE user_id = $1 AND role = 'student'
		AND section_id = ANY ($2::uuid[]) ORDER BY created_at LIMIT 1`, studentID, a.SectionIDs).Scan(&section)
	if err != nil {
		return nil, domain.Wrap("student's section", err)
	}
	policy, scheme, err := sectionGrading(ctx, s, section)
	if err != nil {
		return nil, err
	}
	score, entered, err := in.score(a, scheme)
	if err != nil {
		return nil, err
	}
	post := in.Post || policy == "automatic"
	var status any
	switch Override(in.Status) {
	case "":
	case OverrideLate, OverrideMissing, OverrideExcused, OverrideNone:
		status = in.Status
	default:
		return nil, validate.Errors{{Field: "status", Message: "Choose late, missing, excused or none."}}
	}
	if len(in.Comment) > 10_000 {
		return nil, validate.Errors{{Field: "comment", Message: "Keep the comment under 10,000 characters."}}
	}
	levels := in.RubricLevels
	if levels == nil {
		levels = map[string]int{}
	}
	levelsJSON, _ := json.Marshal(levels)
	if _, err := s.Tx.Exec(ctx, `SELECT set_config('bw.grade_reason', $1, true)`, strings.TrimSpace(in.Reason)); err != nil {
		return nil, domain.Wrap("grade reason", err)
	}
	_, err = s.Tx.Exec(ctx, `INSERT INTO grades (assignment_id, student_id, school_id, section_id, score, entered, status, comment,
		rubric_levels, posted, posted_at, graded_by, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, CASE WHEN $10 THEN $11::timestamptz END, $12, $11)
		ON CONFLICT (assignment_id, student_id) DO UPDATE SET score = EXCLUDED.score, entered = EXCLUDED.entered,
		  status = EXCLUDED.status, comment = EXCLUDED.comment, rubric_levels = EXCLUDED.rubric_levels,
		  posted = grades.posted OR EXCLUDED.posted, posted_at = coalesce(grades.posted_at, EXCLUDED.posted_at),
		  graded_by = EXCLUDED.graded_by, updated_at = EXCLUDED.updated_at`,
		a.ID, studentID, a.SchoolID, section, score, entered, status, in.Comment, levelsJSON, post, now,
		domain.Nullable(s.Actor.UserID))
	if err != nil {
		return nil, refused("save grade", err)
	}
	return GetGrade(ctx, s, a.ID, studentID)
}

// PostGrades makes every grade of an assignment visible to its students and
// their guardians.
func PostGrades(ctx context.Context, s *db.Scope, assignmentID string, now time.Time) (int, error) {
	if _, err := s.Tx.Exec(ctx, `SELECT set_config('bw.grade_reason', 'grades posted', true)`); err != nil {
		return 0, domain.Wrap("grade reason", err)
	}
	tag, err := s.Tx.Exec(ctx, `UPDATE grades SET posted = true, posted_at = $2 WHERE assignment_id = $1 AND NOT posted`, assignmentID, now)
	if err != nil {
		return 0, refused("post grades", err)
	}
	return int(tag.RowsAffected()), nil
}

const gradeSelect = `SELECT assignment_id, student_id, section_id, score::float8 AS score, entered, status, comment, rubric_levels,
	posted, posted_at, updated_at FROM grades`

// GetGrade reads a student's grade the actor may see (students and
// guardians: only once posted).
func GetGrade(ctx context.Context, s *db.Scope, assignmentID, studentID string) (*Grade, error) {
	rows, err := s.Tx.Query(ctx, gradeSelect+` WHERE assignment_id = $1 AND student_id = $2`, assignmentID, studentID)
	if err != nil {
		return nil, domain.Wrap("get grade", err)
	}
	g, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Grade])
	return g, domain.Wrap("get grade", err)
}

// GradeChange is one entry of a grade's trail.
type GradeChange struct {
	At        time.Time       `db:"at" json:"at"`
	Actor     *string         `db:"actor" json:"actor,omitempty"`
	ActorRole string          `db:"actor_role" json:"actorRole"`
	Old       json.RawMessage `db:"old" json:"old,omitempty"`
	New       json.RawMessage `db:"new" json:"new"`
	Reason    string          `db:"reason" json:"reason"`
}

// GradeHistory lists the changes to a student's grade, newest first.
func GradeHistory(ctx context.Context, s *db.Scope, assignmentID, studentID string) ([]GradeChange, error) {
	rows, err := s.Tx.Query(ctx, `SELECT g.at, u.display_name AS actor, g.actor_role, g.old, g.new, g.reason
		FROM grade_audit g LEFT JOIN users u ON u.id = g.actor_id
		WHERE g.assignment_id = $1 AND g.student_id = $2 ORDER BY g.id DESC`, assignmentID, studentID)
	if err != nil {
		return nil, domain.Wrap("grade history", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[GradeChange])
	return out, domain.Wrap("grade history", err)
}

// FillFromRubric checks the rubric levels against the assignment's rubric:
// every criterion rated fills an empty score with the levels' total; some
// rated with no score typed is a problem to fix.
func (in *GradeInput) FillFromRubric(r *rubrics.Rubric) error {
	if r == nil || len(in.RubricLevels) == 0 {
		return nil
	}
	if len(in.RubricLevels) == len(r.Criteria) {
		total, err := r.Score(in.RubricLevels)
		if err != nil {
			return err
		}
		in.RubricScore = &total
		return nil
	}
	if strings.TrimSpace(in.Score) == "" {
		return validate.Errors{{Field: "rubric", Message: "Rate every criterion, or enter the score yourself."}}
	}
	return nil
}

// sectionGrading reads the section's posting policy and letter scheme from
// its grading settings (manual and none when it has none).
func sectionGrading(ctx context.Context, s *db.Scope, sectionID string) (string, *calc.Scheme, error) {
	policy := "manual"
	var entries []struct {
		Letter string  `json:"letter"`
		Min    float64 `json:"min"`
	}
	var raw []byte
	err := s.Tx.QueryRow(ctx, `SELECT post_policy, scheme FROM grading_settings WHERE section_id = $1`, sectionID).Scan(&policy, &raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return policy, nil, nil
	}
	if err != nil {
		return "", nil, domain.Wrap("grading settings", err)
	}
	if err := json.Unmarshal(raw, &entries); err != nil || len(entries) == 0 {
		return policy, nil, nil
	}
	sc := &calc.Scheme{}
	for _, e := range entries {
		r, _ := new(big.Rat).SetString(strconv.FormatFloat(e.Min, 'f', 2, 64))
		sc.Entries = append(sc.Entries, calc.SchemeEntry{Letter: e.Letter, MinPercent: r})
	}
	return policy, sc, nil
}
