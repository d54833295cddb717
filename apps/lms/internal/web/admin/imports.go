package admin

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"path"

	"bellwork.dev/bellwork/apps/lms/internal/audit"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/importer"
	"bellwork.dev/bellwork/apps/lms/internal/imports"
	"bellwork.dev/bellwork/apps/lms/internal/roster"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

type importsData struct {
	Imports []imports.Import
	Error   string
	// Sync is the REST sync's card, for district admins only.
	Sync *syncData
}

// Imports serves GET /admin/imports.
func (s *Handlers) Imports(c *kit.Call) {
	s.renderImports(c, http.StatusOK, "")
}

func (s *Handlers) renderImports(c *kit.Call, status int, msg string) {
	d := importsData{Error: msg}
	err := c.InTx(func(sc *db.Scope) (err error) {
		if d.Imports, err = imports.ListImports(c.R.Context(), sc, 20); err != nil {
			return err
		}
		d.Sync, err = loadSync(c, sc)
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

// ImportUpload checks the files and stores them with a dry-run plan
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
