// Package audit owns the audit log, written in the same transaction as
// the action it records. Every function takes the
// acting db.Scope; SQL is plain pgx; not-found is domain.ErrNotFound.
package audit
