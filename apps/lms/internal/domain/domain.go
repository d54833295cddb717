// Package domain is what the LMS's domain packages (people, identity,
// schools, classes, imports, audit) share: each owns its tables' SQL as
// plain pgx queries, every function takes a *db.Scope (the transaction
// acting for a tenant and an actor, so no query runs without one; row-level
// security is the second wall behind their WHERE clauses), and each reports
// a missing row as ErrNotFound and a taken unique value as ErrConflict, so
// handlers match one sentinel whichever package answered.
package domain

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrNotFound is returned when a row does not exist or is not visible to the actor.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a unique value (an e-mail address, a code) is taken.
var ErrConflict = errors.New("already exists")

// Wrap turns pgx errors into the sentinels, prefixed with what failed.
func Wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return fmt.Errorf("%s: %w", what, ErrConflict)
	}
	// A malformed id (not a UUID) names nothing.
	if errors.As(err, &pgErr) && pgErr.Code == "22P02" {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// IsNotFound reports a missing row, raw from pgx or already wrapped.
func IsNotFound(err error) bool { return errors.Is(err, pgx.ErrNoRows) || errors.Is(err, ErrNotFound) }

// Nullable is SQL NULL for an empty string (an optional id or school).
func Nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// DerefOr is *s, or "" when s is nil.
func DerefOr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
