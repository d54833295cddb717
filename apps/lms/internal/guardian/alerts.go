package guardian

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
)

// Frequency is how often a guardian's digest goes out.
type Frequency string

// Frequencies a guardian may choose.
const (
	Off    Frequency = "off"
	Daily  Frequency = "daily"
	Weekly Frequency = "weekly"
)

// Alerts are a guardian's digest settings: what to hear about and how often.
type Alerts struct {
	Frequency Frequency
	// GradeBelow alerts on a course grade below this percentage (nil: never).
	GradeBelow *float64
	// Missing alerts on missing work, GradePosted on newly posted grades.
	Missing, GradePosted bool
	// UnsubscribedAt is when a one-click unsubscribe turned the digest off.
	UnsubscribedAt *time.Time
	// Saved is false for a guardian who never saved settings (the defaults).
	Saved bool
}

// DefaultAlerts are a guardian's settings until they save their own: no
// digest, and, once they turn it on, missing work and posted grades.
func DefaultAlerts() Alerts { return Alerts{Frequency: Off, Missing: true, GradePosted: true} }

// ErrInvalidAlerts says a settings form does not make sense; its text is
// for the guardian.
var ErrInvalidAlerts = errors.New("invalid alert settings")

// ParseAlerts reads the settings form: frequency, grade_below (a
// percentage, blank for none), and the missing and posted check boxes.
func ParseAlerts(frequency, gradeBelow string, missing, posted bool) (Alerts, error) {
	a := Alerts{Frequency: Frequency(frequency), Missing: missing, GradePosted: posted}
	switch a.Frequency {
	case Off, Daily, Weekly:
	default:
		return a, fmt.Errorf("%w: choose daily, weekly or off", ErrInvalidAlerts)
	}
	if v := strings.TrimSuffix(strings.TrimSpace(gradeBelow), "%"); v != "" {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || f <= 0 || f > 100 {
			return a, fmt.Errorf("%w: the grade threshold is a percentage above 0 and at most 100, such as 70", ErrInvalidAlerts)
		}
		f = float64(int(f*100+0.5)) / 100
		a.GradeBelow = &f
	}
	return a, nil
}

// MyAlerts reads the acting guardian's settings (the defaults when none are saved).
func MyAlerts(ctx context.Context, s *db.Scope) (Alerts, error) {
	a := DefaultAlerts()
	err := s.Tx.QueryRow(ctx, `SELECT frequency, grade_below::float8, missing, grade_posted, unsubscribed_at
		FROM guardian_alert_settings WHERE guardian_id = $1`, s.Actor.UserID).
		Scan(&a.Frequency, &a.GradeBelow, &a.Missing, &a.GradePosted, &a.UnsubscribedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, nil
	}
	a.Saved = err == nil
	return a, domain.Wrap("alert settings", err)
}

// SaveMyAlerts stores the acting guardian's settings. Saving clears an
// earlier one-click unsubscribe: the guardian chose again.
func SaveMyAlerts(ctx context.Context, s *db.Scope, a Alerts, now time.Time) error {
	_, err := s.Tx.Exec(ctx, `INSERT INTO guardian_alert_settings (guardian_id, frequency, grade_below, missing, grade_posted, unsubscribed_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, NULL, $6)
		ON CONFLICT (guardian_id) DO UPDATE SET frequency = EXCLUDED.frequency, grade_below = EXCLUDED.grade_below,
		  missing = EXCLUDED.missing, grade_posted = EXCLUDED.grade_posted, unsubscribed_at = NULL, updated_at = EXCLUDED.updated_at`,
		s.Actor.UserID, string(a.Frequency), a.GradeBelow, a.Missing, a.GradePosted, now)
	return domain.Wrap("save alert settings", err)
}

// Unsubscribe turns a guardian's digest off (system work, after the
// signed link was checked). It reports whether the digest was on; a
// guardian who no longer exists has nothing to turn off.
func Unsubscribe(ctx context.Context, s *db.Scope, guardianID string, now time.Time) (bool, error) {
	var was string
	err := s.Tx.QueryRow(ctx, `WITH old AS (SELECT frequency FROM guardian_alert_settings WHERE guardian_id = $1)
		INSERT INTO guardian_alert_settings (guardian_id, frequency, unsubscribed_at, updated_at)
		SELECT $1, 'off', $2, $2 WHERE EXISTS (SELECT 1 FROM users WHERE id = $1)
		ON CONFLICT (guardian_id) DO UPDATE SET frequency = 'off',
		  unsubscribed_at = coalesce(guardian_alert_settings.unsubscribed_at, EXCLUDED.unsubscribed_at), updated_at = EXCLUDED.updated_at
		RETURNING coalesce((SELECT frequency FROM old), 'off')`, guardianID, now).Scan(&was)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return was != string(Off), domain.Wrap("unsubscribe", err)
}

// Subscriber is a guardian whose digest is on.
type Subscriber struct {
	GuardianID, Email, Name, SchoolID string
	Alerts                            Alerts
	// LastPeriod and LastSent are the latest digest sent ("" and nil: none).
	LastPeriod string
	LastSent   *time.Time
}

// Subscribers lists every guardian whose digest is on at the given
// frequency (system work), with the school they act at.
func Subscribers(ctx context.Context, s *db.Scope, f Frequency) ([]Subscriber, error) {
	rows, err := s.Tx.Query(ctx, `SELECT g.guardian_id::text, u.email, u.display_name,
		coalesce((SELECT m.school_id::text FROM memberships m WHERE m.user_id = g.guardian_id AND m.role = 'guardian' ORDER BY m.school_id LIMIT 1), ''),
		g.frequency, g.grade_below::float8, g.missing, g.grade_posted, coalesce(d.period, ''), d.sent_at
		FROM guardian_alert_settings g JOIN users u ON u.id = g.guardian_id
		LEFT JOIN LATERAL (SELECT period, sent_at FROM guardian_digests x WHERE x.guardian_id = g.guardian_id
		  ORDER BY sent_at DESC LIMIT 1) d ON true
		WHERE g.frequency = $1 AND u.email IS NOT NULL AND u.email <> ''
		  AND EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = g.guardian_id AND m.role = 'guardian')
		ORDER BY g.guardian_id`, string(f))
	if err != nil {
		return nil, domain.Wrap("digest subscribers", err)
	}
	defer rows.Close()
	var out []Subscriber
	for rows.Next() {
		var sub Subscriber
		a := &sub.Alerts
		if err := rows.Scan(&sub.GuardianID, &sub.Email, &sub.Name, &sub.SchoolID, &a.Frequency, &a.GradeBelow, &a.Missing, &a.GradePosted,
			&sub.LastPeriod, &sub.LastSent); err != nil {
			return nil, domain.Wrap("digest subscribers", err)
		}
		a.Saved = true
		out = append(out, sub)
	}
	return out, domain.Wrap("digest subscribers", rows.Err())
}

// LastDigest is when the guardian's latest digest went out (nil: never).
func LastDigest(ctx context.Context, s *db.Scope, guardianID string) (*time.Time, error) {
	var at *time.Time
	err := s.Tx.QueryRow(ctx, `SELECT max(sent_at) FROM guardian_digests WHERE guardian_id = $1`, guardianID).Scan(&at)
	return at, domain.Wrap("last digest", err)
}

// ClaimDigest records that the guardian's digest for period is being sent
// (system work), in the caller's transaction: false when that period's
// digest was already recorded. A concurrent claim of the same period
// waits for this transaction and then finds it taken, so commit only
// after the mail went out.
func ClaimDigest(ctx context.Context, s *db.Scope, guardianID, period string, items int, now time.Time) (bool, error) {
	tag, err := s.Tx.Exec(ctx, `INSERT INTO guardian_digests (guardian_id, period, sent_at, items) VALUES ($1, $2, $3, $4)
		ON CONFLICT (guardian_id, period) DO NOTHING`, guardianID, period, now, items)
	if err != nil {
		return false, domain.Wrap("claim digest", err)
	}
	return tag.RowsAffected() == 1, nil
}
