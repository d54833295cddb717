// Package store is the LMS's SQL: plain pgx queries, one file per resource.
// Every function takes a *db.Scope, the transaction acting for a tenant and
// an actor, so no query runs without one; row-level security is the second
// wall behind the WHERE clauses here. Not-found is ErrNotFound.
package store

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

// wrap turns pgx errors into the package's sentinels.
func wrap(what string, err error) error {
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

func isNotFound(err error) bool { return errors.Is(err, pgx.ErrNoRows) || errors.Is(err, ErrNotFound) }
