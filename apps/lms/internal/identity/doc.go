// Package identity owns how a person proves who they are: sessions,
// invitations, password resets and sign-in throttling. Every function takes the
// acting db.Scope; SQL is plain pgx; not-found is domain.ErrNotFound.
package identity
