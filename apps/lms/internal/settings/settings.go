// Package settings owns the choices a district's admins make in the LMS
// itself (the platform team's choices come from the directory): for now,
// the order of names. Every function takes the acting db.Scope.
package settings

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// The name orders a district may choose.
const (
	GivenFamily = "given-family" // "Mary Archer"
	FamilyGiven = "family-given" // "Archer Mary"
)

// NameOrder returns the district's name order, GivenFamily when unset.
func NameOrder(ctx context.Context, s *db.Scope) (string, error) {
	var v string
	err := s.Tx.QueryRow(ctx, `SELECT value FROM district_settings WHERE key = 'name_order'`).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return GivenFamily, nil
	}
	if err != nil {
		return "", domain.Wrap("read name order", err)
	}
	return v, nil
}

// SetNameOrder stores the district's name order (district admins only; the
// database refuses anyone else). A value other than the two orders is a
// validate.Errors on "name_order".
func SetNameOrder(ctx context.Context, s *db.Scope, order string) error {
	if order != GivenFamily && order != FamilyGiven {
		var ve validate.Errors
		ve.Add("name_order", "Choose given name first or family name first.")
		return ve
	}
	if s.Actor.Role != db.DistrictAdmin && s.Actor.Role != db.System {
		return fmt.Errorf("set name order as %s: %w", s.Actor.Role, db.ErrForbidden)
	}
	_, err := s.Tx.Exec(ctx, `INSERT INTO district_settings (key, value) VALUES ('name_order', $1)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()`, order)
	return domain.Wrap("set name order", err)
}

// DisplayName joins given and family names in order, or returns fallback
// when both are empty.
func DisplayName(order, given, family, fallback string) string {
	first, second := given, family
	if order == FamilyGiven {
		first, second = family, given
	}
	if d := strings.TrimSpace(strings.TrimSpace(first) + " " + strings.TrimSpace(second)); d != "" {
		return d
	}
	return fallback
}
