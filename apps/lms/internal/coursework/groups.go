package coursework

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// Group is an assignment group of a section (Homework, Tests), with the
// weight the gradebook gives it when the section weights groups.
type Group struct {
	ID        string   `db:"id" json:"id"`
	SectionID string   `db:"section_id" json:"sectionId"`
	Name      string   `db:"name" json:"name"`
	Position  int      `db:"position" json:"position"`
	Weight    *float64 `db:"weight" json:"weight,omitempty"`
}

// GroupInput is the form for a group.
type GroupInput struct {
	Name   string `json:"name"`
	Weight string `json:"weight"`
}

// CreateGroup adds a group to a section the teacher teaches.
func CreateGroup(ctx context.Context, s *db.Scope, sectionID string, in GroupInput) (*Group, error) {
	var ve validate.Errors
	name := strings.TrimSpace(in.Name)
	if name == "" || len(name) > 100 {
		ve.Add("name", "Name the group in at most 100 characters.")
	}
	var weight *float64
	if w := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(in.Weight), "%")); w != "" {
		f, err := strconv.ParseFloat(w, 64)
		if err != nil || f < 0 || f > 100 {
			ve.Add("weight", "Enter the weight as a percentage from 0 to 100, or leave it empty.")
		}
		weight = &f
	}
	if err := ve.Err(); err != nil {
		return nil, err
	}
	rows, err := s.Tx.Query(ctx, `INSERT INTO assignment_groups (section_id, school_id, name, weight, position)
		SELECT $1, $2, $3, $4, coalesce(max(position) + 1, 0) FROM assignment_groups WHERE section_id = $1
		RETURNING id, section_id, name, position, weight::float8 AS weight`, sectionID, s.Actor.SchoolID, name, weight)
	if err != nil {
		return nil, refused("create group", err)
	}
	g, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Group])
	if err != nil {
		if errors.Is(domain.Wrap("create group", err), domain.ErrConflict) {
			return nil, validate.Errors{{Field: "name", Message: "This section already has a group with that name."}}
		}
		return nil, refused("create group", err)
	}
	return g, nil
}

// SectionGroups lists a section's groups in order.
func SectionGroups(ctx context.Context, s *db.Scope, sectionID string) ([]Group, error) {
	rows, err := s.Tx.Query(ctx, `SELECT id, section_id, name, position, weight::float8 AS weight FROM assignment_groups
		WHERE section_id = $1 ORDER BY position, name`, sectionID)
	if err != nil {
		return nil, domain.Wrap("list groups", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Group])
	return out, domain.Wrap("list groups", err)
}
