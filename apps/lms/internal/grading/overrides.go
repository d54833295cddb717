package grading

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// OverrideInput is the final-grade override form: a percentage, or a
// letter of the section's scheme, and why.
type OverrideInput struct {
	Percent string `json:"percent"`
	Letter  string `json:"letter"`
	Post    bool   `json:"post"`
	Reason  string `json:"reason"`
}

// SetOverride sets a student's final-grade override in a section (the
// section's teachers only: the database refuses anyone else). The database
// appends the change, with the reason, to final_grade_audit.
func SetOverride(ctx context.Context, s *db.Scope, sec *Section, studentID string, in OverrideInput) error {
	var ve validate.Errors
	var percent *float64
	if raw := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(in.Percent), "%")); raw != "" {
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil || v < 0 || v > 1000 {
			ve.Add("percent", "Enter the override as a percentage, 0 or more.")
		} else {
			percent = &v
		}
	}
	letter := strings.TrimSpace(in.Letter)
	if letter != "" {
		found := false
		for _, e := range sec.Settings.Scheme {
			if strings.EqualFold(e.Letter, letter) {
				letter, found = e.Letter, true
			}
		}
		if !found {
			ve.Add("letter", "Choose a letter of the section's grading scheme.")
		}
	}
	if percent == nil && letter == "" && len(ve) == 0 {
		ve.Add("percent", "Enter a percentage or choose a letter.")
	}
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		ve.Add("reason", "Say why you override the calculated grade: the reason is kept in the grade's history.")
	} else if len(reason) > 500 {
		ve.Add("reason", "Keep the reason under 500 characters.")
	}
	if sec.Student(studentID) == nil {
		return ErrNotVisible
	}
	if len(ve) > 0 {
		return ve
	}
	if _, err := s.Tx.Exec(ctx, `SELECT set_config('bw.grade_reason', $1, true)`, reason); err != nil {
		return domain.Wrap("override reason", err)
	}
	_, err := s.Tx.Exec(ctx, `INSERT INTO final_grade_overrides (section_id, student_id, school_id, percent, letter, posted, updated_by, updated_at)
		SELECT $1, $2, school_id, $3, $4, $5, $6, now() FROM sections WHERE id = $1
		ON CONFLICT (section_id, student_id) DO UPDATE SET percent = EXCLUDED.percent, letter = EXCLUDED.letter,
		  posted = EXCLUDED.posted, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
		sec.SectionID, studentID, percent, letter, in.Post, domain.Nullable(s.Actor.UserID))
	return refusedWrite("set override", err)
}

// ClearOverride removes a student's override: the calculated grade shows
// again, and the trail keeps the removal with its reason.
func ClearOverride(ctx context.Context, s *db.Scope, sectionID, studentID, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		reason = "override cleared"
	}
	if len(reason) > 500 {
		return validate.Errors{{Field: "reason", Message: "Keep the reason under 500 characters."}}
	}
	if _, err := s.Tx.Exec(ctx, `SELECT set_config('bw.grade_reason', $1, true)`, reason); err != nil {
		return domain.Wrap("override reason", err)
	}
	tag, err := s.Tx.Exec(ctx, `DELETE FROM final_grade_overrides WHERE section_id = $1 AND student_id = $2`, sectionID, studentID)
	if err != nil {
		return refusedWrite("clear override", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.ErrNotFound
	}
	return nil
}

// OverrideChange is one entry of a student's final-grade trail.
type OverrideChange struct {
	At        time.Time       `db:"at" json:"at"`
	Actor     *string         `db:"actor" json:"actor,omitempty"`
	ActorRole string          `db:"actor_role" json:"actorRole"`
	Old       *OverrideValue  `json:"-"`
	New       *OverrideValue  `json:"-"`
	OldRaw    json.RawMessage `db:"old" json:"old,omitempty"`
	NewRaw    json.RawMessage `db:"new" json:"new,omitempty"`
	Reason    string          `db:"reason" json:"reason"`
}

// OverrideValue is an override as the trail stores it.
type OverrideValue struct {
	Percent *json.Number `json:"percent"`
	Letter  string       `json:"letter"`
	Posted  bool         `json:"posted"`
}

// OverrideHistory lists the changes to a student's override, newest first
// (the section's teachers and admins read it; nobody else).
func OverrideHistory(ctx context.Context, s *db.Scope, sectionID, studentID string) ([]OverrideChange, error) {
	rows, err := s.Tx.Query(ctx, `SELECT f.at, u.display_name AS actor, f.actor_role, f.old, f.new, f.reason
		FROM final_grade_audit f LEFT JOIN users u ON u.id = f.actor_id
		WHERE f.section_id = $1 AND f.student_id = $2 ORDER BY f.id DESC`, sectionID, studentID)
	if err != nil {
		return nil, domain.Wrap("override history", err)
	}
	defer rows.Close()
	var out []OverrideChange
	for rows.Next() {
		var c OverrideChange
		if err := rows.Scan(&c.At, &c.Actor, &c.ActorRole, &c.OldRaw, &c.NewRaw, &c.Reason); err != nil {
			return nil, domain.Wrap("override history", err)
		}
		c.Old, c.New = overrideValue(c.OldRaw), overrideValue(c.NewRaw)
		out = append(out, c)
	}
	return out, domain.Wrap("override history", rows.Err())
}

func overrideValue(raw json.RawMessage) *OverrideValue {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	v := &OverrideValue{}
	if json.Unmarshal(raw, v) != nil {
		return nil
	}
	return v
}

// String is the override as a person reads it: "91.50%", "B+", or both.
func (v *OverrideValue) String() string {
	if v == nil {
		return "none"
	}
	var parts []string
	if v.Percent != nil {
		parts = append(parts, string(*v.Percent)+"%")
	}
	if v.Letter != "" {
		parts = append(parts, v.Letter)
	}
	s := strings.Join(parts, " ")
	if v.Posted {
		return s + " (posted)"
	}
	return s + " (not posted)"
}

// refusedWrite turns a row-level-security refusal into db.ErrForbidden.
func refusedWrite(what string, err error) error {
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42501" {
		return fmt.Errorf("%s: %w", what, db.ErrForbidden)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.ErrNotFound
	}
	return domain.Wrap(what, err)
}
