package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"bellwork.dev/bellwork/apps/lms/internal/audit"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/importer"
	"bellwork.dev/bellwork/apps/lms/internal/imports"
	"bellwork.dev/bellwork/apps/lms/internal/roster"
	"bellwork.dev/bellwork/apps/lms/internal/schools"
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
	DB  func(ctx context.Context, tenant string) (*db.DB, error)
	Now func() time.Time
	// Files is where import files are kept (nil: in the database).
	Files func() imports.FileStore
}

// fileStore calls files, which may be nil.
func fileStore(files func() imports.FileStore) imports.FileStore {
	if files == nil {
		return nil
	}
	return files()
}

// Work parses the stored files again and applies them in one transaction,
// reporting progress on another connection so the page can show it.
func (w *ImportWorker) Work(ctx context.Context, job *river.Job[ImportArgs]) error {
	a := job.Args
	d, err := w.DB(ctx, a.Tenant)
	if err != nil {
		return err
	}
	// The system login acting for the admin: the database checks they still
	// hold the role, and limits the import to what they may change.
	actor := db.Actor{UserID: a.UserID, Role: db.Role(a.Role), SchoolID: a.SchoolID, OnBehalf: true}
	var imp *imports.Import
	var files roster.Files
	store := fileStore(w.Files)
	err = d.InTx(ctx, db.SystemActor(), func(s *db.Scope) (err error) {
		if imp, err = imports.GetImport(ctx, s, a.ImportID); err != nil {
			return err
		}
		files, err = imports.ImportFiles(ctx, s, store, a.ImportID)
		return err
	})
	if errors.Is(err, domain.ErrNotFound) {
		return nil // discarded meanwhile
	}
	if err != nil {
		return err
	}
	if imp.Status != imports.ImportQueued && imp.Status != imports.ImportRunning {
		return nil
	}
	progress := func(done, total int) {
		_ = d.InTx(ctx, db.SystemActor(), func(s *db.Scope) error {
			return imports.SetImportProgress(ctx, s, a.ImportID, done, total)
		})
	}
	progress(0, imp.Total)

	var plan *importer.Plan
	var problems []roster.Problem
	err = d.InTx(ctx, actor, func(s *db.Scope) error {
		format, ok := importer.FormatNamed(imp.Kind)
		if !ok {
			return fmt.Errorf("import %s: unknown format %q", imp.ID, imp.Kind)
		}
		var err error
		plan, problems, err = format.Apply(ctx, s, files, progress)
		if err != nil {
			return err
		}
		return audit.Audit(ctx, s, "import.apply", imp.ID, map[string]any{"kind": imp.Kind, "rows": plan.Total()}, "")
	})
	now := w.now()
	switch {
	case errors.Is(err, importer.ErrProblems):
		if plan != nil && len(plan.Problems) > 0 {
			problems = plan.Problems
		}
		return w.finish(ctx, d, a.ImportID, imports.ImportFailed,
			"The district changed since these files were checked, and they no longer fit. Fix the problems below and upload the files again.", plan, problems, now)
	case errors.Is(err, db.ErrUnavailable):
		return err // retried by the queue
	case err != nil:
		_ = w.finish(ctx, d, a.ImportID, imports.ImportFailed, "The import could not be applied and nothing changed. Try again; if it keeps failing, contact support with this import's link.", nil, nil, now)
		return err
	}
	if err := w.finish(ctx, d, a.ImportID, imports.ImportApplied, "", plan, nil, now); err != nil {
		return err
	}
	return d.InTx(ctx, db.SystemActor(), func(s *db.Scope) error {
		if err := schools.ReachMilestone(ctx, s, directory.MilestoneRosterImported, now); err != nil {
			return err
		}
		if c := plan.Counts[importer.EntityCourse]; c != nil && c.Create+c.Unchanged > 0 {
			return schools.ReachMilestone(ctx, s, directory.MilestoneFirstCourse, now)
		}
		return nil
	})
}

// finish records the outcome; the import's files have served their
// purpose, so their objects in the store are deleted once that commits
// (what fails here is left to the expiry job).
func (w *ImportWorker) finish(ctx context.Context, d *db.DB, id, status, message string, plan *importer.Plan, problems []roster.Problem, now time.Time) error {
	err := d.InTx(ctx, db.SystemActor(), func(s *db.Scope) error {
		var p, pr any
		if plan != nil {
			p = plan
		}
		if problems != nil {
			pr = problems
		}
		return imports.FinishImport(ctx, s, id, status, message, p, pr, now)
	})
	if err != nil {
		return err
	}
	_ = imports.DeleteDroppedFiles(ctx, d, fileStore(w.Files), id)
	return nil
}

func (w *ImportWorker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}
