package identity

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/people"
)

// Invitation lets someone set a password and sign in for the first time.
// Only the token's SHA-256 is stored.
type Invitation struct {
	ID          string     `db:"id"`
	Email       string     `db:"email"`
	Role        db.Role    `db:"role"`
	SchoolID    *string    `db:"school_id"`
	TokenSHA256 string     `db:"token_sha256"`
	ExpiresAt   time.Time  `db:"expires_at"`
	AcceptedAt  *time.Time `db:"accepted_at"`
}

// EnsureInvitation creates an invitation for a token hash unless one exists;
// it reports whether it created one.
func EnsureInvitation(ctx context.Context, s *db.Scope, email string, role db.Role, schoolID, tokenSHA256 string, expires time.Time, createdBy string) (bool, error) {
	tag, err := s.Tx.Exec(ctx, `INSERT INTO invitations (email, role, school_id, token_sha256, expires_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (token_sha256) DO NOTHING`,
		people.NormalizeEmail(email), string(role), domain.Nullable(schoolID), tokenSHA256, expires, domain.Nullable(createdBy))
	if err != nil {
		return false, domain.Wrap("create invitation", err)
	}
	return tag.RowsAffected() > 0, nil
}

// GetInvitation reads an open (unaccepted, unexpired) invitation by token hash.
func GetInvitation(ctx context.Context, s *db.Scope, tokenSHA256 string, now time.Time) (*Invitation, error) {
	rows, err := s.Tx.Query(ctx, `SELECT id, email, role, school_id, token_sha256, expires_at, accepted_at FROM invitations
		WHERE token_sha256 = $1 AND accepted_at IS NULL AND expires_at > $2`, tokenSHA256, now)
	if err != nil {
		return nil, domain.Wrap("get invitation", err)
	}
	inv, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Invitation])
	return inv, domain.Wrap("get invitation", err)
}

// AcceptInvitation marks an invitation used.
func AcceptInvitation(ctx context.Context, s *db.Scope, id string, now time.Time) error {
	tag, err := s.Tx.Exec(ctx, `UPDATE invitations SET accepted_at = $2 WHERE id = $1 AND accepted_at IS NULL`, id, now)
	if err != nil {
		return domain.Wrap("accept invitation", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("accept invitation: %w", domain.ErrNotFound)
	}
	return nil
}

// CreatePasswordReset stores a reset token hash for a user.
func CreatePasswordReset(ctx context.Context, s *db.Scope, userID, tokenSHA256 string, expires time.Time) error {
	_, err := s.Tx.Exec(ctx, `INSERT INTO password_resets (token_sha256, user_id, expires_at) VALUES ($1, $2, $3)`, tokenSHA256, userID, expires)
	return domain.Wrap("create password reset", err)
}

// UsePasswordReset consumes an open reset token and returns its user.
func UsePasswordReset(ctx context.Context, s *db.Scope, tokenSHA256 string, now time.Time) (string, error) {
	var userID string
	err := s.Tx.QueryRow(ctx, `UPDATE password_resets SET used_at = $2
		WHERE token_sha256 = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id`, tokenSHA256, now).Scan(&userID)
	return userID, domain.Wrap("use password reset", err)
}

// PeekPasswordReset checks a reset token without consuming it.
func PeekPasswordReset(ctx context.Context, s *db.Scope, tokenSHA256 string, now time.Time) (string, error) {
	var userID string
	err := s.Tx.QueryRow(ctx, `SELECT user_id FROM password_resets WHERE token_sha256 = $1 AND used_at IS NULL AND expires_at > $2`,
		tokenSHA256, now).Scan(&userID)
	return userID, domain.Wrap("check password reset", err)
}

// DeletePasswordReset removes a reset token (its mail could not be sent).
func DeletePasswordReset(ctx context.Context, s *db.Scope, tokenSHA256 string) error {
	_, err := s.Tx.Exec(ctx, `DELETE FROM password_resets WHERE token_sha256 = $1`, tokenSHA256)
	return domain.Wrap("delete password reset", err)
}
