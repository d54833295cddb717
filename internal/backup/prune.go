package backup

import (
	"context"
	"time"

	"bellwork.dev/bellwork/internal/backup/retention"
)

// Prune applies a retention policy to a tenant's backups: it deletes what
// retention.Decide does not keep and returns every decision, newest first,
// so the caller can log and event the deletions.
func Prune(ctx context.Context, s Store, tenant string, p retention.Policy, now time.Time, loc *time.Location) ([]retention.Decision, error) {
	all, err := List(ctx, s, tenant)
	if err != nil {
		return nil, err
	}
	backups := make([]retention.Backup, 0, len(all))
	for _, m := range all {
		backups = append(backups, retention.Backup{ID: m.ID, Taken: m.Started, Verified: m.Verification != nil && m.Verification.Passed})
	}
	decisions := retention.Decide(p, backups, now, loc)
	for _, d := range decisions {
		if !d.Keep {
			if err := Delete(ctx, s, tenant, d.ID); err != nil {
				return decisions, err
			}
		}
	}
	return decisions, nil
}
