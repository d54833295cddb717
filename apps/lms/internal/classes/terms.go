package classes

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
)

// Term is an academic term of a school.
type Term struct {
	ID         string    `db:"id" json:"id"`
	SchoolID   string    `db:"school_id" json:"schoolId"`
	SchoolName string    `db:"school_name" json:"schoolName"`
	SourcedID  *string   `db:"sourced_id" json:"sourcedId,omitempty"`
	Name       string    `db:"name" json:"name"`
	Kind       string    `db:"kind" json:"kind"`
	StartsOn   time.Time `db:"starts_on" json:"startsOn"`
	EndsOn     time.Time `db:"ends_on" json:"endsOn"`
}

// ListTerms returns terms (of one school when schoolID is set), earliest first.
func ListTerms(ctx context.Context, s *db.Scope, schoolID string) ([]Term, error) {
	rows, err := s.Tx.Query(ctx, `SELECT t.id, t.school_id, sc.name AS school_name, t.sourced_id, t.name, t.kind, t.starts_on, t.ends_on
		FROM terms t JOIN schools sc ON sc.id = t.school_id
		WHERE ($1::uuid IS NULL OR t.school_id = $1) ORDER BY t.starts_on, sc.name, t.name`, domain.Nullable(schoolID))
	if err != nil {
		return nil, domain.Wrap("list terms", err)
	}
	terms, err := pgx.CollectRows(rows, pgx.RowToStructByName[Term])
	return terms, domain.Wrap("list terms", err)
}

// CreateTerm adds a term to a school.
func CreateTerm(ctx context.Context, s *db.Scope, schoolID, name, kind string, starts, ends time.Time) (string, error) {
	var id string
	err := s.Tx.QueryRow(ctx, `INSERT INTO terms (school_id, name, kind, starts_on, ends_on) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		schoolID, name, kind, starts, ends).Scan(&id)
	return id, domain.Wrap("create term", err)
}

// DeleteTerm removes a term that no section uses.
func DeleteTerm(ctx context.Context, s *db.Scope, id string) error {
	var used bool
	if err := s.Tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM sections WHERE $1 = ANY (term_ids))`, id).Scan(&used); err != nil {
		return domain.Wrap("delete term", err)
	}
	if used {
		return fmt.Errorf("delete term: sections use it: %w", domain.ErrConflict)
	}
	tag, err := s.Tx.Exec(ctx, `DELETE FROM terms WHERE id = $1`, id)
	if err != nil {
		return domain.Wrap("delete term", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("delete term: %w", domain.ErrNotFound)
	}
	return nil
}

// GetTerm returns one term the actor may see.
func GetTerm(ctx context.Context, s *db.Scope, id string) (*Term, error) {
	rows, err := s.Tx.Query(ctx, `SELECT t.id, t.school_id, sc.name AS school_name, t.sourced_id, t.name, t.kind, t.starts_on, t.ends_on
		FROM terms t JOIN schools sc ON sc.id = t.school_id WHERE t.id = $1`, id)
	if err != nil {
		return nil, domain.Wrap("get term", err)
	}
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Term])
	return t, domain.Wrap("get term", err)
}

// UpdateTerm renames a term and moves its dates.
func UpdateTerm(ctx context.Context, s *db.Scope, id, name string, starts, ends time.Time) error {
	tag, err := s.Tx.Exec(ctx, `UPDATE terms SET name = $2, starts_on = $3, ends_on = $4 WHERE id = $1`, id, name, starts, ends)
	if err != nil {
		return domain.Wrap("update term", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("update term: %w", domain.ErrNotFound)
	}
	return nil
}
