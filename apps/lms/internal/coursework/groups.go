package coursework

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

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

// check validates the form: a name and an optional weight.
func (in GroupInput) check() (string, *float64, error) {
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
	return name, weight, ve.Err()
}

// groupCols are a Group's columns.
const groupCols = `id, section_id, name, position, weight::float8 AS weight`

// CreateGroup adds a group to a section the teacher teaches.
func CreateGroup(ctx context.Context, s *db.Scope, sectionID string, in GroupInput) (*Group, error) {
	name, weight, err := in.check()
	if err != nil {
		return nil, err
	}
	rows, err := s.Tx.Query(ctx, `INSERT INTO assignment_groups (section_id, school_id, name, weight, position)
		SELECT $1, $2, $3, $4, coalesce(max(position) + 1, 0) FROM assignment_groups WHERE section_id = $1
		RETURNING `+groupCols, sectionID, s.Actor.SchoolID, name, weight)
	if err != nil {
		return nil, refused("create group", err)
	}
	return oneGroup("create group", rows)
}

// UpdateGroup renames a group or changes its weight (its drop rules are in
// the section's grading settings).
func UpdateGroup(ctx context.Context, s *db.Scope, id string, in GroupInput) (*Group, error) {
	name, weight, err := in.check()
	if err != nil {
		return nil, err
	}
	rows, err := s.Tx.Query(ctx, `UPDATE assignment_groups SET name = $2, weight = $3 WHERE id = $1 RETURNING `+groupCols, id, name, weight)
	if err != nil {
		return nil, refused("update group", err)
	}
	return oneGroup("update group", rows)
}

func oneGroup(what string, rows pgx.Rows) (*Group, error) {
	g, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Group])
	if err != nil {
		if errors.Is(domain.Wrap(what, err), domain.ErrConflict) {
			return nil, validate.Errors{{Field: "name", Message: "This section already has a group with that name."}}
		}
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, domain.ErrNotFound
		}
		return nil, refused(what, err)
	}
	return g, nil
}

// GetGroup reads one group the actor sees.
func GetGroup(ctx context.Context, s *db.Scope, id string) (*Group, error) {
	rows, err := s.Tx.Query(ctx, `SELECT `+groupCols+` FROM assignment_groups WHERE id = $1`, id)
	if err != nil {
		return nil, domain.Wrap("get group", err)
	}
	g, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Group])
	return g, domain.Wrap("get group", err)
}

// GroupAssignments counts the assignments in a group (those the actor sees).
func GroupAssignments(ctx context.Context, s *db.Scope, id string) (int, error) {
	var n int
	err := s.Tx.QueryRow(ctx, `SELECT count(*) FROM assignments WHERE group_id = $1`, id).Scan(&n)
	return n, domain.Wrap("group assignments", err)
}

// DeleteGroup deletes a group of a section the actor teaches. A group with
// assignments needs moveTo, another group of the same section: its
// assignments (and their never-drop marks) move there first, so no score
// changes group silently. bw_delete_group does both in the database.
func DeleteGroup(ctx context.Context, s *db.Scope, id, moveTo string) error {
	g, err := GetGroup(ctx, s, id)
	if err != nil {
		return err
	}
	if moveTo == "" {
		n, err := GroupAssignments(ctx, s, id)
		if err != nil {
			return err
		}
		if n > 0 {
			return validate.Errors{{Field: "moveTo", Message: fmt.Sprintf("%s has assignments (%d). Choose the group they move to before deleting it.", g.Name, n)}}
		}
	} else if moveTo == id {
		return validate.Errors{{Field: "moveTo", Message: "Choose another group to move the assignments to."}}
	}
	var done bool
	if err := s.Tx.QueryRow(ctx, `SELECT bw_delete_group($1, $2)`, id, domain.Nullable(moveTo)).Scan(&done); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23503" {
			return validate.Errors{{Field: "moveTo", Message: "Choose another group of this section to move the assignments to."}}
		}
		return refused("delete group", err)
	}
	if !done {
		return domain.ErrNotFound
	}
	return nil
}

// SectionGroups lists a section's groups in order.
func SectionGroups(ctx context.Context, s *db.Scope, sectionID string) ([]Group, error) {
	rows, err := s.Tx.Query(ctx, `SELECT `+groupCols+` FROM assignment_groups WHERE section_id = $1 ORDER BY position, name`, sectionID)
	if err != nil {
		return nil, domain.Wrap("list groups", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Group])
	return out, domain.Wrap("list groups", err)
}
