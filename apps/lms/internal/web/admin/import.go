package admin

import (
	"encoding/json"

	"bellwork.dev/bellwork/apps/lms/internal/audit"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/importer"
	"bellwork.dev/bellwork/apps/lms/internal/imports"
	"bellwork.dev/bellwork/apps/lms/internal/jobs"
	"bellwork.dev/bellwork/apps/lms/internal/roster"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

type countRow struct {
	Label string
	importer.Change
}

// ImportData is one import as its page, its poll and the API show it.
type ImportData struct {
	Import *imports.Import
	Plan   *importer.Plan
	Counts []countRow
	Empty  bool
	// Problems block applying; Warnings were imported anyway.
	Problems      []roster.Problem
	ProblemsShown []roster.Problem
	Warnings      []roster.Problem
	WarningsShown []roster.Problem
	// All is every problem and warning, for problems.csv.
	All []roster.Problem
}

var entityLabels = map[string]string{
	importer.EntityTerm: "Terms", importer.EntityCourse: "Courses", importer.EntitySection: "Sections", importer.EntityUser: "People",
	importer.EntityMembership: "Roles", importer.EntityEnrollment: "Enrollments", importer.EntityGuardianLink: "Guardian links",
}

// LoadImport reads the import named in the path, its problems and its
// plan, as the signed-in user sees them (the API reads it the same way).
func LoadImport(c *kit.Call) (*ImportData, error) {
	d := &ImportData{}
	err := c.InTx(func(sc *db.Scope) (err error) {
		d.Import, err = imports.GetImport(c.R.Context(), sc, c.R.PathValue("id"))
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(d.Import.Problems, &d.All); err != nil {
		return nil, err
	}
	d.Problems, d.Warnings = roster.Split(d.All)
	d.ProblemsShown = d.Problems[:min(len(d.Problems), 200)]
	d.WarningsShown = d.Warnings[:min(len(d.Warnings), 200)]
	var plan importer.Plan
	if len(d.Import.Plan) > 2 && json.Unmarshal(d.Import.Plan, &plan) == nil && plan.Counts != nil {
		d.Plan = &plan
		for _, e := range importer.Entities {
			if ch := plan.Counts[e]; ch != nil {
				d.Counts = append(d.Counts, countRow{Label: entityLabels[e], Change: *ch})
			}
		}
		d.Empty = plan.Empty()
	}
	return d, nil
}

// Import serves GET /admin/imports/{id}.
func (s *Handlers) Import(c *kit.Call) {
	d, err := LoadImport(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "admin_import", "Import", d)
}

// ImportApply queues the import; the job and the status change commit
// together, so a double click queues it once.
func (s *Handlers) ImportApply(c *kit.Call) {
	id := c.R.PathValue("id")
	if _, err := QueueImport(s.Kit, c, id); err != nil {
		s.Fail(c, err)
		return
	}
	kit.Redirect(c, "/admin/imports/"+id, "")
}

// QueueImport moves a previewed import to the queue with its job; it
// reports false when the import was not waiting to be applied (applied,
// failed, discarded, or queued by a double click). The page and the API
// both call it.
func QueueImport(k *kit.Kit, c *kit.Call, id string) (queued bool, err error) {
	a := c.Actor()
	err = c.InTxQueueing(func(sc *db.Scope) error {
		moved, err := imports.MoveImport(c.R.Context(), sc, id, imports.ImportPreviewed, imports.ImportQueued)
		if err != nil || !moved {
			return err
		}
		queued = true
		if err := k.Jobs.Enqueue(c.R.Context(), sc, jobs.ImportArgs{Tenant: c.Tenant.Name(), ImportID: id,
			UserID: a.UserID, Role: string(a.Role), SchoolID: a.SchoolID}); err != nil {
			return err
		}
		return audit.Audit(c.R.Context(), sc, "import.queue", id, nil, c.ID)
	})
	return queued, err
}

// ImportDiscard serves POST /admin/imports/{id}/discard.
func (s *Handlers) ImportDiscard(c *kit.Call) {
	if _, err := DiscardImport(c, s.Config.Files, c.R.PathValue("id")); err != nil {
		s.Fail(c, err)
		return
	}
	kit.Redirect(c, "/admin/imports", "import-discarded")
}

// DiscardImport discards a previewed import and drops its files, deleting
// their objects from store once the discard has committed (what fails to
// delete is left to the expiry job); false when it was not waiting to be
// applied. The page and the API call it.
func DiscardImport(c *kit.Call, store imports.FileStore, id string) (discarded bool, err error) {
	ctx := c.R.Context()
	var keys []string
	err = c.InTx(func(sc *db.Scope) (err error) {
		if discarded, err = imports.DiscardImport(ctx, sc, id); err != nil || !discarded || store == nil {
			return err
		}
		keys, err = imports.DroppedObjects(ctx, sc, id)
		return err
	})
	if err != nil || len(keys) == 0 {
		return discarded, err
	}
	deleted, _ := imports.DeleteObjects(ctx, store, keys) // what fails is left to the expiry job
	return discarded, c.InTx(func(sc *db.Scope) error { return imports.ForgetObjects(ctx, sc, deleted) })
}
