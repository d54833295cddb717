package db

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// InOwnTx runs fn for the signed-in user of a live session on their own
// records only (their profile, their sessions), also for a user who holds
// no role yet and so has no context row-level security could narrow to.
// It runs on the system login, as System work does, without establishing a
// user context (bw_session_begin refuses a session without a role, and this
// adds no way in), but the scope's actor carries the user id the database
// read from the session token in the same transaction, never an id a caller
// passes: own-data calls (people.UpdateMyProfile, identity.EndMySessions)
// read s.Actor.UserID. A session that is not live is ErrForbidden.
func (d *DB) InOwnTx(ctx context.Context, session string, fn func(s *Scope) error) error {
	if session == "" {
		return ErrForbidden
	}
	tx, err := d.system.Begin(ctx)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	var userID string
	// The lookup bw_session_begin makes, and its check that the user is
	// active; FOR SHARE so the session cannot end under work in its name.
	err = tx.QueryRow(ctx, `SELECT s.user_id::text FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id_sha256 = encode(sha256(convert_to($1, 'UTF8')), 'hex')
		  AND s.idle_expires_at > now() AND s.absolute_expires_at > now() AND u.status = 'active'
		FOR SHARE OF s`, session).Scan(&userID)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrForbidden
	}
	if err != nil {
		return fmt.Errorf("own session: %w", err)
	}
	if err := fn(&Scope{Tx: tx, Actor: Actor{UserID: userID, Role: System, Session: session}, Tenant: d.Tenant}); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
