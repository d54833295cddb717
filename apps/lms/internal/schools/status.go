package schools

import (
	"context"
	"encoding/json"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/pkg/directory"
)

// ReachMilestone records an onboarding milestone the first time it is
// reached (system scope); later calls keep the first time.
func ReachMilestone(ctx context.Context, s *db.Scope, name string, now time.Time) error {
	value, _ := json.Marshal(directory.MilestoneStatus{ReachedAt: now.UTC()})
	_, err := s.Tx.Exec(ctx, `INSERT INTO operator_status (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`,
		directory.MilestoneKey(name), value)
	return domain.Wrap("reach milestone", err)
}

// ReportSchool records the version of a school the LMS holds (system scope),
// writing only when the report changes.
func ReportSchool(ctx context.Context, s *db.Scope, code string, st directory.SchoolStatus) error {
	value, _ := json.Marshal(st)
	_, err := s.Tx.Exec(ctx, `INSERT INTO operator_status (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = $2, updated_at = now()
		WHERE operator_status.value - 'syncedAt' IS DISTINCT FROM $2::jsonb - 'syncedAt'`, directory.SchoolKey(code), value)
	return domain.Wrap("report school", err)
}

// Milestones returns the milestones reached, by name.
func Milestones(ctx context.Context, s *db.Scope) (map[string]time.Time, error) {
	rows, err := s.Tx.Query(ctx, `SELECT substr(key, 11), (value->>'reachedAt')::timestamptz FROM operator_status WHERE key LIKE 'milestone:%'`)
	if err != nil {
		return nil, domain.Wrap("milestones", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var name string
		var at time.Time
		if err := rows.Scan(&name, &at); err != nil {
			return nil, err
		}
		out[name] = at
	}
	return out, domain.Wrap("milestones", rows.Err())
}
