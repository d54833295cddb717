package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/importer"
	"bellwork.dev/bellwork/apps/lms/internal/roster"
	"bellwork.dev/bellwork/apps/lms/internal/store"
	"bellwork.dev/bellwork/pkg/directory"
)

// ImportArgs asks for an uploaded roster to be applied, acting as the admin
// who asked (so row-level security limits a school admin to their school).
type ImportArgs struct {
	Tenant   string `json:"tenant"`
	ImportID string `json:"import_id"`
	UserID   string `json:"user_id"`
	Role     string `json:"role"`
	SchoolID string `json:"school_id"`
}

// Kind names the job.
func (ImportArgs) Kind() string { return "roster_import" }

// ImportWorker applies imports.
type ImportWorker struct {
	river.WorkerDefaults[ImportArgs]
	// DB finds a tenant's database.
	DB  func(tenant string) (*db.DB, error)
	Now func() time.Time
}

// Work parses the stored files again and applies them in one transaction,
// reporting progress on another connection so the page can show it.
func (w *ImportWorker) Work(ctx context.Context, job *river.Job[ImportArgs]) error {
	a := job.Args
	d, err := w.DB(a.Tenant)
	if err != nil {
		return err
	}
	// The system login acting for the admin: the database checks they still
	// hold the role, and limits the import to what they may change.
	actor := db.Actor{UserID: a.UserID, Role: db.Role(a.Role), SchoolID: a.SchoolID, OnBehalf: true}
	var imp *store.Import
	var files map[string][]byte
	err = d.InTx(ctx, db.SystemActor(), func(s *db.Scope) (err error) {
		if imp, err = store.GetImport(ctx, s, a.ImportID); err != nil {
			return err
		}
		files, err = store.ImportFiles(ctx, s, a.ImportID)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil // discarded meanwhile
	}
	if err != nil {
		return err
	}
	if imp.Status != store.ImportQueued && imp.Status != store.ImportRunning {
		return nil
	}
	progress := func(done, total int) {
		_ = d.InTx(ctx, db.SystemActor(), func(s *db.Scope) error {
			return store.SetImportProgress(ctx, s, a.ImportID, done, total)
		})
	}
	progress(0, imp.Total)

	var plan *importer.Plan
	var problems []roster.Problem
	err = d.InTx(ctx, actor, func(s *db.Scope) error {
		var err error
		switch imp.Kind {
		case "oneroster":
			b, parsed := roster.ParseOneRoster(files)
			if len(parsed) > 0 {
				problems = parsed
				return importer.ErrProblems
			}
			plan, err = importer.ApplyOneRoster(ctx, s, b, progress)
		default:
			rows, parsed := roster.ParseUsersCSV(firstName(files), files[firstName(files)])
			if len(parsed) > 0 {
				problems = parsed
				return importer.ErrProblems
			}
			plan, err = importer.ApplyUsersCSV(ctx, s, rows, progress)
		}
		if err != nil {
			return err
		}
		return store.Audit(ctx, s, "import.apply", imp.ID, map[string]any{"kind": imp.Kind, "rows": plan.Total()}, "")
	})
	now := w.now()
	switch {
	case errors.Is(err, importer.ErrProblems):
		if plan != nil {
			problems = plan.Problems
		}
		return w.finish(ctx, d, a.ImportID, store.ImportFailed,
			"The district changed since these files were checked, and they no longer fit. Fix the problems below and upload the files again.", plan, problems, now)
	case errors.Is(err, db.ErrUnavailable):
		return err // retried by the queue
	case err != nil:
		_ = w.finish(ctx, d, a.ImportID, store.ImportFailed, "The import could not be applied and nothing changed. Try again; if it keeps failing, contact support with this import's link.", nil, nil, now)
		return err
	}
	if err := w.finish(ctx, d, a.ImportID, store.ImportApplied, "", plan, nil, now); err != nil {
		return err
	}
	return d.InTx(ctx, db.SystemActor(), func(s *db.Scope) error {
		if err := store.ReachMilestone(ctx, s, directory.MilestoneRosterImported, now); err != nil {
			return err
		}
		if c := plan.Counts[importer.EntityCourse]; c != nil && c.Create+c.Unchanged > 0 {
			return store.ReachMilestone(ctx, s, directory.MilestoneFirstCourse, now)
		}
		return nil
	})
}

func (w *ImportWorker) finish(ctx context.Context, d *db.DB, id, status, message string, plan *importer.Plan, problems []roster.Problem, now time.Time) error {
	return d.InTx(ctx, db.SystemActor(), func(s *db.Scope) error {
		var p, pr any
		if plan != nil {
			p = plan
		}
		if problems != nil {
			pr = problems
		}
		return store.FinishImport(ctx, s, id, status, message, p, pr, now)
	})
}

func (w *ImportWorker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func firstName(files map[string][]byte) string {
	for name := range files {
		return name
	}
	return "users.csv"
}
