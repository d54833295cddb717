package identity

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
)

// Session is a signed-in browser. The cookie holds a random token; only its
// SHA-256 is stored, so a database leak gives no usable session.
type Session struct {
	IDSHA256          string    `db:"id_sha256"`
	UserID            string    `db:"user_id"`
	Role              db.Role   `db:"role"`
	SchoolID          *string   `db:"school_id"`
	CSRFToken         string    `db:"csrf_token"`
	CreatedAt         time.Time `db:"created_at"`
	LastSeenAt        time.Time `db:"last_seen_at"`
	IdleExpiresAt     time.Time `db:"idle_expires_at"`
	AbsoluteExpiresAt time.Time `db:"absolute_expires_at"`
	// Token is the cookie's value when the session was read from a request;
	// it is never stored. The database establishes the actor from it.
	Token string `db:"-"`
}

// Actor is who requests in this session act as.
func (s *Session) Actor() db.Actor {
	a := db.Actor{UserID: s.UserID, Role: s.Role, Session: s.Token}
	if s.SchoolID != nil {
		a.SchoolID = *s.SchoolID
	}
	return a
}

// CreateSession stores a new session (system scope).
func CreateSession(ctx context.Context, s *db.Scope, sess *Session, userAgent, ip string) error {
	_, err := s.Tx.Exec(ctx, `INSERT INTO sessions (id_sha256, user_id, role, school_id, csrf_token, created_at, last_seen_at,
		idle_expires_at, absolute_expires_at, user_agent, ip) VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $10)`,
		sess.IDSHA256, sess.UserID, string(sess.Role), sess.SchoolID, sess.CSRFToken, sess.CreatedAt,
		sess.IdleExpiresAt, sess.AbsoluteExpiresAt, truncate(userAgent, 300), ip)
	return domain.Wrap("create session", err)
}

// GetSession reads a live session by its token hash (system scope); expired
// sessions read as not found.
func GetSession(ctx context.Context, s *db.Scope, idSHA256 string, now time.Time) (*Session, error) {
	rows, err := s.Tx.Query(ctx, `SELECT id_sha256, user_id, role, school_id, csrf_token, created_at, last_seen_at,
		idle_expires_at, absolute_expires_at FROM sessions
		WHERE id_sha256 = $1 AND idle_expires_at > $2 AND absolute_expires_at > $2`, idSHA256, now)
	if err != nil {
		return nil, domain.Wrap("get session", err)
	}
	sess, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Session])
	return sess, domain.Wrap("get session", err)
}

// TouchSession extends a session's idle expiry (never past its absolute one).
func TouchSession(ctx context.Context, s *db.Scope, idSHA256 string, now time.Time, idle time.Duration) error {
	_, err := s.Tx.Exec(ctx, `UPDATE sessions SET last_seen_at = $2,
		idle_expires_at = least($2::timestamptz + $3 * interval '1 second', absolute_expires_at) WHERE id_sha256 = $1`,
		idSHA256, now, idle.Seconds())
	return domain.Wrap("touch session", err)
}

// SwitchSessionRole changes the membership a session acts in.
func SwitchSessionRole(ctx context.Context, s *db.Scope, idSHA256 string, role db.Role, schoolID *string) error {
	_, err := s.Tx.Exec(ctx, `UPDATE sessions SET role = $2, school_id = $3 WHERE id_sha256 = $1`, idSHA256, string(role), schoolID)
	return domain.Wrap("switch role", err)
}

// DeleteSession signs one browser out.
func DeleteSession(ctx context.Context, s *db.Scope, idSHA256 string) error {
	_, err := s.Tx.Exec(ctx, `DELETE FROM sessions WHERE id_sha256 = $1`, idSHA256)
	return domain.Wrap("delete session", err)
}

// DeleteUserSessions signs a user out everywhere.
func DeleteUserSessions(ctx context.Context, s *db.Scope, userID string) (int64, error) {
	tag, err := s.Tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
	return tag.RowsAffected(), domain.Wrap("delete sessions", err)
}

// DeleteExpiredSessions removes sessions past either expiry.
func DeleteExpiredSessions(ctx context.Context, s *db.Scope, now time.Time) error {
	// A batch at a time, skipping rows another sign-in is clearing, so
	// morning sign-ins never queue behind each other.
	_, err := s.Tx.Exec(ctx, `DELETE FROM sessions WHERE id_sha256 IN (
		SELECT id_sha256 FROM sessions WHERE idle_expires_at <= $1 OR absolute_expires_at <= $1
		LIMIT 200 FOR UPDATE SKIP LOCKED)`, now)
	return domain.Wrap("delete expired sessions", err)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// EndMySessions ends every session of the acting user, the current one
// included ("sign out everywhere"). The user is the scope's actor
// (db.InOwnTx), never an id the caller passes.
func EndMySessions(ctx context.Context, s *db.Scope) (int64, error) {
	if s.Actor.UserID == "" {
		return 0, fmt.Errorf("end sessions: %w", db.ErrForbidden)
	}
	return DeleteUserSessions(ctx, s, s.Actor.UserID)
}

// ScanOpenedSession reads the row db.BeginSession's context statement
// returns (db.SessionOpen) into *out.
func ScanOpenedSession(out **Session) func(pgx.Rows) error {
	return func(rows pgx.Rows) (err error) {
		*out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Session])
		return domain.Wrap("open session", err)
	}
}
