package admin

import (
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"path"

	"bellwork.dev/bellwork/apps/lms/internal/audit"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/importer"
	"bellwork.dev/bellwork/apps/lms/internal/imports"
	"bellwork.dev/bellwork/apps/lms/internal/jobs"
	"bellwork.dev/bellwork/apps/lms/internal/roster"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

type importsData struct {
	Imports []imports.Import
	Error   string
}

func (s *Handlers) Imports(c *kit.Call) {
	s.renderImports(c, http.StatusOK, "")
}

func (s *Handlers) renderImports(c *kit.Call, status int, msg string) {
	d := importsData{Error: msg}
	err := c.InTx(func(sc *db.Scope) (err error) {
		d.Imports, err = imports.ListImports(c.R.Context(), sc, 20)
		return err
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.RenderStatus(c, status, "admin_imports", "Import a roster", d)
}

// readUpload reads the multipart form; what the files must be is
// importer.Collect's to say. Problems with the upload come back as
// validate.Errors, which the form shows.
func (s *Handlers) readUpload(c *kit.Call) (format *importer.Format, files map[string][]byte, err error) {
	c.R.Body = http.MaxBytesReader(c.W, c.R.Body, s.Config.MaxUpload)
	if err := c.R.ParseMultipartForm(8 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, nil, validate.Problem("The upload is larger than the limit. Split the roster or remove unused files.")
		}
		return nil, nil, validate.Problem("The upload could not be read. Choose the files again.")
	}
	var uploads []importer.Upload
	for _, h := range c.R.MultipartForm.File["files"] {
		data, err := readPart(h)
		if err != nil {
			return nil, nil, validate.Problem("The file " + path.Base(h.Filename) + " could not be read. Choose it again.")
		}
		uploads = append(uploads, importer.Upload{Name: h.Filename, Data: data})
	}
	return importer.Collect(c.R.PostFormValue("kind"), uploads, s.Config.MaxUpload*4)
}

func readPart(h *multipart.FileHeader) ([]byte, error) {
	f, err := h.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// adminImportUpload checks the files and stores them with a dry-run plan
// (or their problems); nothing in the roster changes until Apply.
func (s *Handlers) ImportUpload(c *kit.Call) {
	format, files, err := s.readUpload(c)
	if ve, ok := validate.As(err); ok {
		s.renderImports(c, http.StatusUnprocessableEntity, ve.Error())
		return
	}
	var problems []roster.Problem
	var plan *importer.Plan
	var id string
	err = c.InTx(func(sc *db.Scope) error {
		ctx := c.R.Context()
		var err error
		if plan, problems, err = format.Plan(ctx, sc, files); err != nil {
			return err
		}
		n := imports.NewImport{Kind: format.Name, SchoolID: c.Actor().SchoolID, Files: files, Problems: problems}
		if plan != nil {
			n.Plan, n.Total = plan, plan.Total()
			if len(plan.Problems) > 0 {
				n.Problems = plan.Problems
			}
		}
		if n.Problems == nil {
			n.Problems = []roster.Problem{}
		}
		n.Failed = len(problems) > 0 || (plan != nil && len(plan.Problems) > 0)
		if id, err = imports.CreateImport(ctx, sc, n); err != nil {
			return err
		}
		return audit.Audit(ctx, sc, "import.check", id, map[string]any{"kind": format.Name, "problems": len(problems)}, c.ID)
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	kit.Redirect(c, "/admin/imports/"+id, "")
}

type countRow struct {
	Label string
	importer.Change
}

type ImportData struct {
	Import        *imports.Import
	Plan          *importer.Plan
	Counts        []countRow
	Empty         bool
	Problems      []roster.Problem
	ProblemsShown []roster.Problem
}

var entityLabels = map[string]string{
	importer.EntityTerm: "Terms", importer.EntityCourse: "Courses", importer.EntitySection: "Sections", importer.EntityUser: "People",
	importer.EntityMembership: "Roles", importer.EntityEnrollment: "Enrollments", importer.EntityGuardianLink: "Guardian links",
}

func LoadImport(c *kit.Call) (*ImportData, error) {
	d := &ImportData{}
	err := c.InTx(func(sc *db.Scope) (err error) {
		d.Import, err = imports.GetImport(c.R.Context(), sc, c.R.PathValue("id"))
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(d.Import.Problems, &d.Problems); err != nil {
		return nil, err
	}
	d.ProblemsShown = d.Problems[:min(len(d.Problems), 200)]
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

func (s *Handlers) Import(c *kit.Call) {
	d, err := LoadImport(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "admin_import", "Import", d)
}

// adminImportApply queues the import; the job and the status change commit
// together, so a double click queues it once.
func (s *Handlers) ImportApply(c *kit.Call) {
	id := c.R.PathValue("id")
	a := c.Actor()
	err := c.InTxQueueing(func(sc *db.Scope) error {
		moved, err := imports.MoveImport(c.R.Context(), sc, id, imports.ImportPreviewed, imports.ImportQueued)
		if err != nil || !moved {
			return err
		}
		if err := s.Jobs.Enqueue(c.R.Context(), sc, jobs.ImportArgs{Tenant: c.Tenant.Name(), ImportID: id,
			UserID: a.UserID, Role: string(a.Role), SchoolID: a.SchoolID}); err != nil {
			return err
		}
		return audit.Audit(c.R.Context(), sc, "import.queue", id, nil, c.ID)
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	kit.Redirect(c, "/admin/imports/"+id, "")
}

func (s *Handlers) ImportDiscard(c *kit.Call) {
	id := c.R.PathValue("id")
	err := c.InTx(func(sc *db.Scope) error {
		_, err := imports.MoveImport(c.R.Context(), sc, id, imports.ImportPreviewed, imports.ImportDiscarded)
		return err
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	kit.Redirect(c, "/admin/imports", "import-discarded")
}

type ImportProgress struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Status   string `json:"status"`
	Progress int    `json:"progress"`
	Total    int    `json:"total"`
	Percent  int    `json:"percent"`
	Done     bool   `json:"done"`
	Problems int    `json:"problems"`
	Error    string `json:"error,omitempty"`
}

func ProgressOf(d *ImportData) ImportProgress {
	i := d.Import
	p := ImportProgress{ID: i.ID, Kind: i.Kind, Status: i.Status, Progress: i.Progress, Total: i.Total, Problems: len(d.Problems), Error: i.Error}
	if i.Total > 0 {
		p.Percent = i.Progress * 100 / i.Total
	}
	p.Done = i.Status != imports.ImportQueued && i.Status != imports.ImportRunning
	if i.Status == imports.ImportApplied {
		p.Percent = 100
	}
	return p
}

func (s *Handlers) Progress(c *kit.Call) {
	d, err := LoadImport(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	kit.WriteJSON(c, http.StatusOK, ProgressOf(d))
}

// adminImportProblems downloads every problem as CSV.
func (s *Handlers) ImportProblems(c *kit.Call) {
	d, err := LoadImport(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	c.W.Header().Set("Content-Type", "text/csv; charset=utf-8")
	c.W.Header().Set("Content-Disposition", `attachment; filename="import-problems.csv"`)
	if err := roster.WriteProblemsCSV(c.W, d.Problems); err != nil {
		s.Log.Error("Could not write problems CSV", "request_id", c.ID, "err", err)
	}
}
