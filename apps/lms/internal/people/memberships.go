package people

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
)

// Membership is a role a user holds, at a school or (district admins) district-wide.
type Membership struct {
	ID         string  `db:"id" json:"id"`
	UserID     string  `db:"user_id" json:"userId"`
	Role       db.Role `db:"role" json:"role"`
	SchoolID   *string `db:"school_id" json:"schoolId,omitempty"`
	SchoolName *string `db:"school_name" json:"schoolName,omitempty"`
}

// Actor is the db.Actor acting in this membership.
func (m Membership) Actor() db.Actor {
	a := db.Actor{UserID: m.UserID, Role: m.Role}
	if m.SchoolID != nil {
		a.SchoolID = *m.SchoolID
	}
	return a
}

// Label is "Teacher at Lincoln High" or "District admin".
func (m Membership) Label() string {
	if m.SchoolName != nil {
		return fmt.Sprintf("%s at %s", m.Role.Label(), *m.SchoolName)
	}
	return m.Role.Label()
}

// membershipsOfUser lists a user's roles, in the order the LMS lists roles.
const membershipsOfUser = `SELECT m.id, m.user_id, m.role, m.school_id, sc.name AS school_name
		FROM memberships m LEFT JOIN schools sc ON sc.id = m.school_id
		WHERE m.user_id = $1
		ORDER BY array_position(ARRAY['district_admin','school_admin','teacher','student','guardian'], m.role), sc.name`

// ListMemberships returns a user's roles, district-wide first.
func ListMemberships(ctx context.Context, s *db.Scope, userID string) ([]Membership, error) {
	rows, err := s.Tx.Query(ctx, membershipsOfUser, userID)
	if err != nil {
		return nil, domain.Wrap("list memberships", err)
	}
	ms, err := pgx.CollectRows(rows, pgx.RowToStructByName[Membership])
	return ms, domain.Wrap("list memberships", err)
}

// AddMembership gives a user a role; adding one they hold is a no-op.
func AddMembership(ctx context.Context, s *db.Scope, userID string, role db.Role, schoolID string) error {
	_, err := s.Tx.Exec(ctx, `INSERT INTO memberships (user_id, role, school_id) VALUES ($1, $2, $3)
		ON CONFLICT (user_id, school_id, role) DO NOTHING`, userID, string(role), domain.Nullable(schoolID))
	return domain.Wrap("add membership", err)
}

// RemoveMembership takes a role away.
func RemoveMembership(ctx context.Context, s *db.Scope, membershipID string) error {
	tag, err := s.Tx.Exec(ctx, `DELETE FROM memberships WHERE id = $1`, membershipID)
	if err != nil {
		return domain.Wrap("remove membership", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("remove membership: %w", domain.ErrNotFound)
	}
	return nil
}
