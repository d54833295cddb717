package identity

import (
	"context"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
)

// ThrottleLockedUntil says until when a key (e.g. "ip:203.0.113.7") is locked.
func ThrottleLockedUntil(ctx context.Context, s *db.Scope, key string, now time.Time) (*time.Time, error) {
	var until *time.Time
	err := s.Tx.QueryRow(ctx, `SELECT locked_until FROM sign_in_throttle WHERE key = $1 AND locked_until > $2`, key, now).Scan(&until)
	if domain.IsNotFound(err) {
		return nil, nil
	}
	return until, domain.Wrap("read throttle", err)
}

// ThrottleFailure counts a failure for key within window and locks the key
// for lockFor once max failures are reached. It returns the lock's end, if any.
func ThrottleFailure(ctx context.Context, s *db.Scope, key string, now time.Time, window time.Duration, max int, lockFor time.Duration) (*time.Time, error) {
	var until *time.Time
	err := s.Tx.QueryRow(ctx, `INSERT INTO sign_in_throttle AS t (key, window_start, failures) VALUES ($1, $2, 1)
		ON CONFLICT (key) DO UPDATE SET
			window_start = CASE WHEN t.window_start < $2::timestamptz - $3 * interval '1 second' THEN $2 ELSE t.window_start END,
			failures = CASE WHEN t.window_start < $2::timestamptz - $3 * interval '1 second' THEN 1 ELSE t.failures + 1 END
		RETURNING CASE WHEN failures >= $4 THEN $2::timestamptz + $5 * interval '1 second' END`,
		key, now, window.Seconds(), max, lockFor.Seconds()).Scan(&until)
	if err != nil {
		return nil, domain.Wrap("count failure", err)
	}
	if until != nil {
		_, err = s.Tx.Exec(ctx, `UPDATE sign_in_throttle SET locked_until = $2, failures = 0, window_start = $3 WHERE key = $1`, key, until, now)
	}
	return until, domain.Wrap("lock key", err)
}
