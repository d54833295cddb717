package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"path"
	"strings"

	"bellwork.dev/bellwork/apps/lms/internal/audit"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/importer"
	"bellwork.dev/bellwork/apps/lms/internal/imports"
	"bellwork.dev/bellwork/apps/lms/internal/jobs"
	"bellwork.dev/bellwork/apps/lms/internal/roster"
)

type importsData struct {
	Imports []imports.Import
	Error   string
}

func (s *Server) adminImports(c *call) {
	s.renderImports(c, http.StatusOK, "")
}

func (s *Server) renderImports(c *call, status int, msg string) {
	d := importsData{Error: msg}
	err := c.inTx(func(sc *db.Scope) (err error) {
		d.Imports, err = imports.ListImports(c.r.Context(), sc, 20)
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.renderStatus(c, status, "admin_imports", "Import a roster", d)
}

// uploadError is a message about the upload itself, shown on the form.
type uploadError string

func (e uploadError) Error() string { return string(e) }

// readUpload collects the uploaded files in the chosen format (or, when the
// form names none, the format the file names look like; see
// importer.Formats): a zipped bundle is unpacked in memory (never to
// disk), CSV files are taken as they are.
func (s *Server) readUpload(c *call) (format *importer.Format, files map[string][]byte, err error) {
	c.r.Body = http.MaxBytesReader(c.w, c.r.Body, s.Config.MaxUpload)
	if err := c.r.ParseMultipartForm(8 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, nil, uploadError("The upload is larger than the limit. Split the roster or remove unused files.")
		}
		return nil, nil, uploadError("The upload could not be read. Choose the files again.")
	}
	headers := c.r.MultipartForm.File["files"]
	names := make([]string, len(headers))
	for i, h := range headers {
		names[i] = path.Base(strings.ReplaceAll(h.Filename, "\\", "/"))
	}
	kind := c.r.PostFormValue("kind")
	format, ok := importer.FormatNamed(kind)
	if kind == "" {
		format, ok = importer.Detect(names)
	}
	if !ok {
		return nil, nil, uploadError("Choose a format: OneRoster or users CSV.")
	}
	if len(headers) == 0 {
		return nil, nil, uploadError("Choose at least one file.")
	}
	files = map[string][]byte{}
	for i, h := range headers {
		data, err := readPart(h)
		if err != nil {
			return nil, nil, uploadError("The file " + path.Base(h.Filename) + " could not be read. Choose it again.")
		}
		name := names[i]
		if format.Zip && strings.EqualFold(path.Ext(name), ".zip") {
			if len(headers) > 1 {
				return nil, nil, uploadError("Upload either one .zip file or the CSV files, not both.")
			}
			unzipped, err := roster.ReadZip(bytesReaderAt(data), int64(len(data)), s.Config.MaxUpload*4)
			if err != nil {
				return nil, nil, uploadError(zipMessage(err))
			}
			return format, unzipped, nil
		}
		if !strings.EqualFold(path.Ext(name), ".csv") {
			return nil, nil, uploadError(name + " is not a .csv or .zip file.")
		}
		files[name] = data
	}
	if format.OneFile && len(files) != 1 {
		return nil, nil, uploadError("A " + format.Label + " import takes exactly one file.")
	}
	return format, files, nil
}

func zipMessage(err error) string {
	switch {
	case errors.Is(err, roster.ErrZipUnsafePath):
		return "The zip holds a file whose name points outside the zip (such as ../). It was refused; export the roster again."
	case errors.Is(err, roster.ErrZipTooLarge):
		return "The zip unpacks to more than the limit. Split the roster or remove unused files."
	case errors.Is(err, roster.ErrZipTooManyEntries):
		return "The zip holds too many files. A OneRoster bundle has about ten."
	case errors.Is(err, roster.ErrZipDuplicateFile):
		return "The zip holds two files with the same name in different folders. Keep one."
	}
	return "The zip could not be opened. Check that it is a .zip file and export it again."
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
func (s *Server) adminImportUpload(c *call) {
	format, files, err := s.readUpload(c)
	var ue uploadError
	if errors.As(err, &ue) {
		s.renderImports(c, http.StatusUnprocessableEntity, string(ue))
		return
	}
	var problems []roster.Problem
	var plan *importer.Plan
	var id string
	err = c.inTx(func(sc *db.Scope) error {
		ctx := c.r.Context()
		var err error
		if plan, problems, err = format.Plan(ctx, sc, files); err != nil {
			return err
		}
		n := imports.NewImport{Kind: format.Name, SchoolID: c.actor().SchoolID, Files: files, Problems: problems}
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
		return audit.Audit(ctx, sc, "import.check", id, map[string]any{"kind": format.Name, "problems": len(problems)}, c.id)
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	redirect(c, "/admin/imports/"+id, "")
}

type countRow struct {
	Label string
	importer.Change
}

type importData struct {
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

func (s *Server) loadImport(c *call) (*importData, error) {
	d := &importData{}
	err := c.inTx(func(sc *db.Scope) (err error) {
		d.Import, err = imports.GetImport(c.r.Context(), sc, c.r.PathValue("id"))
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

func (s *Server) adminImport(c *call) {
	d, err := s.loadImport(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "admin_import", "Import", d)
}

// adminImportApply queues the import; the job and the status change commit
// together, so a double click queues it once.
func (s *Server) adminImportApply(c *call) {
	id := c.r.PathValue("id")
	a := c.actor()
	err := c.inTxQueueing(func(sc *db.Scope) error {
		moved, err := imports.MoveImport(c.r.Context(), sc, id, imports.ImportPreviewed, imports.ImportQueued)
		if err != nil || !moved {
			return err
		}
		if err := s.Jobs.Enqueue(c.r.Context(), sc, jobs.ImportArgs{Tenant: c.tenant.Name(), ImportID: id,
			UserID: a.UserID, Role: string(a.Role), SchoolID: a.SchoolID}); err != nil {
			return err
		}
		return audit.Audit(c.r.Context(), sc, "import.queue", id, nil, c.id)
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	redirect(c, "/admin/imports/"+id, "")
}

func (s *Server) adminImportDiscard(c *call) {
	id := c.r.PathValue("id")
	err := c.inTx(func(sc *db.Scope) error {
		_, err := imports.MoveImport(c.r.Context(), sc, id, imports.ImportPreviewed, imports.ImportDiscarded)
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	redirect(c, "/admin/imports", "import-discarded")
}

type importProgress struct {
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

func progressOf(d *importData) importProgress {
	i := d.Import
	p := importProgress{ID: i.ID, Kind: i.Kind, Status: i.Status, Progress: i.Progress, Total: i.Total, Problems: len(d.Problems), Error: i.Error}
	if i.Total > 0 {
		p.Percent = i.Progress * 100 / i.Total
	}
	p.Done = i.Status != imports.ImportQueued && i.Status != imports.ImportRunning
	if i.Status == imports.ImportApplied {
		p.Percent = 100
	}
	return p
}

func (s *Server) adminImportProgress(c *call) {
	d, err := s.loadImport(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, progressOf(d))
}

func (s *Server) apiImport(c *call) {
	d, err := s.loadImport(c)
	if err != nil {
		s.apiFail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, progressOf(d))
}

// adminImportProblems downloads every problem as CSV.
func (s *Server) adminImportProblems(c *call) {
	d, err := s.loadImport(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	c.w.Header().Set("Content-Disposition", `attachment; filename="import-problems.csv"`)
	if err := roster.WriteProblemsCSV(c.w, d.Problems); err != nil {
		s.Log.Error("Could not write problems CSV", "request_id", c.id, "err", err)
	}
}
