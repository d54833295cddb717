// Package people owns the district's people: users (accounts, profiles,
// status, passwords), the roles they hold at schools (memberships) and
// guardian links. Every function takes the
// acting db.Scope; SQL is plain pgx; not-found is domain.ErrNotFound.
package people
