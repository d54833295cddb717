// Package classes owns terms, sections and who is enrolled in them, as
// teacher or student (EnrollmentRole). Every function takes the
// acting db.Scope; SQL is plain pgx; not-found is domain.ErrNotFound.
package classes
