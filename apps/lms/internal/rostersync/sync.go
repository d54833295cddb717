// Package rostersync owns syncing a district's roster from a OneRoster
// REST provider: the client (OAuth 2.0 client credentials or OAuth 1.0a
// signatures, paging, rate limits), the admin's sync settings
// (roster_syncs), and a run: read the whole roster, check and preview it as
// the upload page does, store it as an import, and apply it without review
// only when it is small enough.
//
// A run writes nothing to the roster itself. It stores an import (the run
// history is the imports a sync made) and, when the change is below the
// admin's threshold, queues it like an admin's Apply; the import job then
// writes it all in one transaction or nothing. Provider trouble (gone,
// refusing the credentials, rate limiting past the retries) fails the run
// before anything is stored but the failed run itself.
package rostersync

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/importer"
	"bellwork.dev/bellwork/apps/lms/internal/imports"
	"bellwork.dev/bellwork/apps/lms/internal/roster"
)

// Settings are a district's sync settings and the state of its last run.
type Settings struct {
	ID           string     `db:"id"`
	Enabled      bool       `db:"enabled"`
	EveryMinutes int        `db:"every_minutes"`
	AutoApplyMax int        `db:"auto_apply_max"`
	NextRunAt    *time.Time `db:"next_run_at"`
	LastRunAt    *time.Time `db:"last_run_at"`
	LastStatus   string     `db:"last_status"`
	LastError    string     `db:"last_error"`
	UpdatedBy    *string    `db:"updated_by"`
}

const settingsColumns = `id, enabled, every_minutes, auto_apply_max, next_run_at, last_run_at, last_status, last_error, updated_by`

// Load reads the district's settings; nil when none were saved.
func Load(ctx context.Context, s *db.Scope) (*Settings, error) {
	rows, err := s.Tx.Query(ctx, `SELECT `+settingsColumns+` FROM roster_syncs`)
	if err != nil {
		return nil, domain.Wrap("load sync settings", err)
	}
	st, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Settings])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return st, domain.Wrap("load sync settings", err)
}

// Save stores the admin's choices; the acting admin becomes the one the
// sync acts for. Turning it on (or changing how often) schedules the next
// run that far from now.
func Save(ctx context.Context, s *db.Scope, enabled bool, everyMinutes, autoApplyMax int, now time.Time) error {
	if s.Actor.Role != db.DistrictAdmin {
		return fmt.Errorf("save sync settings as %s: %w", s.Actor.Role, db.ErrForbidden)
	}
	next := now.Add(time.Duration(everyMinutes) * time.Minute)
	_, err := s.Tx.Exec(ctx, `INSERT INTO roster_syncs (enabled, every_minutes, auto_apply_max, next_run_at, updated_by, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (singleton) DO UPDATE SET enabled = excluded.enabled, every_minutes = excluded.every_minutes,
			auto_apply_max = excluded.auto_apply_max, updated_by = excluded.updated_by, updated_at = excluded.updated_at,
			next_run_at = CASE WHEN roster_syncs.enabled AND roster_syncs.every_minutes = excluded.every_minutes
				AND roster_syncs.next_run_at IS NOT NULL THEN roster_syncs.next_run_at ELSE excluded.next_run_at END`,
		enabled, everyMinutes, autoApplyMax, next, s.Actor.UserID, now)
	return domain.Wrap("save sync settings", err)
}

// Claim takes the next run when one is due (or at once, when now is
// forced), moving next_run_at on in the same statement so two workers never
// run the same sync. It returns nil when there is nothing to run.
func Claim(ctx context.Context, s *db.Scope, now time.Time, force bool) (*Settings, error) {
	rows, err := s.Tx.Query(ctx, `UPDATE roster_syncs SET next_run_at = $1::timestamptz + make_interval(mins => every_minutes), last_run_at = $1
		WHERE ($2 OR (enabled AND next_run_at <= $1)) AND updated_by IS NOT NULL RETURNING `+settingsColumns, now, force)
	if err != nil {
		return nil, domain.Wrap("claim sync", err)
	}
	st, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Settings])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return st, domain.Wrap("claim sync", err)
}

func finishRun(ctx context.Context, s *db.Scope, id, status, message string) error {
	_, err := s.Tx.Exec(ctx, `UPDATE roster_syncs SET last_status = $2, last_error = $3 WHERE id = $1`, id, status, message)
	return domain.Wrap("record sync run", err)
}

// Run is one sync of one district.
type Run struct {
	DB     *db.DB
	Client *Client
	// Enqueue queues an import's apply job in s's transaction, as the
	// admin's Apply button does.
	Enqueue func(ctx context.Context, s *db.Scope, importID string, actor db.Actor) error
	Now     func() time.Time
	// Files keeps the fetched bundle's files until the import is applied
	// (nil: the database keeps them).
	Files imports.FileStore
}

// Outcome is what a run did.
type Outcome struct {
	ImportID string
	// Status is the run's import status: previewed (waiting for an admin),
	// queued (applying without review), or failed.
	Status   string
	Plan     *importer.Plan
	Problems []roster.Problem
}

// The statuses a run leaves in roster_syncs.last_status.
const (
	RunWaiting = "waiting for review"
	RunApplied = "applying"
	RunFailed  = "failed"
)

// Once runs the sync if it is due (or at once when forced). It returns
// nil, nil when nothing was due.
func (r *Run) Once(ctx context.Context, force bool) (*Outcome, error) {
	now := r.Now()
	var st *Settings
	err := r.DB.InTx(ctx, db.SystemActor(), func(s *db.Scope) (err error) {
		st, err = Claim(ctx, s, now, force)
		return err
	})
	if err != nil || st == nil {
		return nil, err
	}
	// The sync acts for the district admin who set it up: the database
	// checks they still are one, and the imports name them.
	actor := db.Actor{UserID: *st.UpdatedBy, Role: db.DistrictAdmin, OnBehalf: true}

	files, fetchErr := r.Client.FetchBundle(ctx)
	if fetchErr != nil {
		message := failureMessage(fetchErr)
		err := r.DB.InTx(ctx, actor, func(s *db.Scope) error {
			id, err := imports.CreateImport(ctx, s, imports.NewImport{Kind: "oneroster", Failed: true,
				Problems: []roster.Problem{{File: "provider", Reason: message}}})
			if err != nil {
				return err
			}
			if err := imports.MarkSyncRun(ctx, s, id, st.ID); err != nil {
				return err
			}
			return finishRun(ctx, s, st.ID, RunFailed, message)
		})
		return &Outcome{Status: imports.ImportFailed}, errors.Join(fmt.Errorf("sync: %w", fetchErr), err)
	}

	out := &Outcome{}
	err = r.DB.InTx(ctx, actor, func(s *db.Scope) error {
		format, _ := importer.FormatNamed("oneroster")
		plan, problems, err := format.Plan(ctx, s, roster.BytesFiles(files))
		if err != nil {
			return err
		}
		out.Plan, out.Problems = plan, problems
		if plan != nil && len(problems) == 0 {
			problems = plan.Problems
		}
		failed := roster.Blocking(problems)
		total := 0
		if plan != nil {
			total = plan.Total()
		}
		n := imports.NewImport{Kind: format.Name, Files: roster.BytesFiles(files), Store: r.Files, Total: total, Failed: failed}
		if plan != nil {
			n.Plan = plan
		}
		if problems != nil {
			n.Problems = problems
		}
		id, err := imports.CreateImport(ctx, s, n)
		if err != nil {
			return err
		}
		out.ImportID = id
		if err := imports.MarkSyncRun(ctx, s, id, st.ID); err != nil {
			return err
		}
		switch {
		case failed:
			out.Status = imports.ImportFailed
			return finishRun(ctx, s, st.ID, RunFailed, fmt.Sprintf("The provider's roster has %d problems to fix in the student information system.", len(problems)))
		case total > st.AutoApplyMax && total > 0:
			out.Status = imports.ImportPreviewed
			return finishRun(ctx, s, st.ID, RunWaiting, fmt.Sprintf("%d changes, more than the %d that apply without review.", total, st.AutoApplyMax))
		}
		if _, err := imports.MoveImport(ctx, s, id, imports.ImportPreviewed, imports.ImportQueued); err != nil {
			return err
		}
		if err := r.Enqueue(ctx, s, id, actor); err != nil {
			return fmt.Errorf("queue sync import: %w", err)
		}
		out.Status = imports.ImportQueued
		return finishRun(ctx, s, st.ID, RunApplied, "")
	})
	if err != nil {
		return nil, fmt.Errorf("sync: %w", err)
	}
	return out, nil
}

// failureMessage says why a run could not read the provider, for the admin.
func failureMessage(err error) string {
	switch {
	case errors.Is(err, ErrUnauthorized):
		return "The provider refused the district's client credentials. Ask your platform team to check the rostering client ID and secret."
	case errors.Is(err, ErrRateLimited):
		return "The provider kept asking to slow down (429 Too Many Requests). Nothing changed; the next run tries again."
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "The sync took too long and was stopped. Nothing changed; the next run tries again."
	}
	return "The provider could not be read to the end (it went away or answered with an error). Nothing changed; the next run tries again."
}
