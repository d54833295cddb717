// Package imports owns roster import records: the uploaded files, the
// plan shown before applying, the status a job moves through and its progress. Every function takes the
// acting db.Scope; SQL is plain pgx; not-found is domain.ErrNotFound.
package imports
