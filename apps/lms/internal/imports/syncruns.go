package imports

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
)

// MarkSyncRun records that a REST sync (roster_syncs.id) made the import.
func MarkSyncRun(ctx context.Context, s *db.Scope, importID, syncID string) error {
	_, err := s.Tx.Exec(ctx, `UPDATE imports SET sync_id = $2 WHERE id = $1`, importID, syncID)
	return domain.Wrap("mark sync run", err)
}

// SyncRun is one run of the REST sync, as the imports page lists it.
type SyncRun struct {
	ID         string     `db:"id"`
	Status     string     `db:"status"`
	Total      int        `db:"total"`
	Error      string     `db:"error"`
	Problems   int        `db:"problems"`
	CreatedAt  time.Time  `db:"created_at"`
	FinishedAt *time.Time `db:"finished_at"`
}

// StatusLabel names the run's status for people.
func (r *SyncRun) StatusLabel() string { return (&Import{Status: r.Status}).StatusLabel() }

// CreatedAtPtr helps templates format the time.
func (r *SyncRun) CreatedAtPtr() *time.Time { return &r.CreatedAt }

// SyncRuns returns the newest runs of the REST sync.
func SyncRuns(ctx context.Context, s *db.Scope, limit int) ([]SyncRun, error) {
	rows, err := s.Tx.Query(ctx, `SELECT id, status, total, error, created_at, finished_at,
		CASE WHEN jsonb_typeof(problems) = 'array' THEN jsonb_array_length(problems) ELSE 0 END AS problems
		FROM imports WHERE sync_id IS NOT NULL ORDER BY created_at DESC LIMIT $1`, limit)
	if err != nil {
		return nil, domain.Wrap("list sync runs", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[SyncRun])
	return out, domain.Wrap("list sync runs", err)
}
