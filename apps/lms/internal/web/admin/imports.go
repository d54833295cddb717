package admin

import (
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/audit"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/importer"
	"bellwork.dev/bellwork/apps/lms/internal/imports"
	"bellwork.dev/bellwork/apps/lms/internal/roster"
	"bellwork.dev/bellwork/apps/lms/internal/settings"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

type importsData struct {
	Imports []imports.Import
	Error   string
	// NameOrder is the district's (settings.NameOrder); district admins
	// may change it here, as imports build names in it.
	NameOrder       string
	CanSetNameOrder bool
	// Sync is the REST sync's card, for district admins only.
	Sync *syncData
}

// Imports serves GET /admin/imports.
func (s *Handlers) Imports(c *kit.Call) {
	s.renderImports(c, http.StatusOK, "")
}

func (s *Handlers) renderImports(c *kit.Call, status int, msg string) {
	d := importsData{Error: msg, CanSetNameOrder: c.Role() == db.DistrictAdmin}
	err := c.InTx(func(sc *db.Scope) (err error) {
		if d.Imports, err = imports.ListImports(c.R.Context(), sc, 20); err != nil {
			return err
		}
		d.NameOrder, err = settings.NameOrder(c.R.Context(), sc)
		if err != nil {
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

// readUpload streams the multipart form's files to temporary files (never
// whole into memory), within the route's body limit; what the files must
// be is importer.Collect's to say. Problems with the upload come back as
// validate.Errors, which the form shows. The caller must call done.
func (s *Handlers) readUpload(c *kit.Call) (format *importer.Format, files roster.Files, done func(), err error) {
	done = func() {}
	mr, err := c.MultipartReader()
	if err != nil {
		return nil, nil, done, validate.Problem("The upload could not be read. Choose the files again.")
	}
	spool, err := importer.SpoolMultipart(mr)
	done = spool.Close
	if err != nil {
		return nil, nil, done, err
	}
	format, files, err = importer.Collect(spool.Kind, spool.Uploads, s.Config.MaxUpload*4)
	return format, files, done, err
}

// ImportUpload checks the files and stores them with a dry-run plan
// (or their problems); nothing in the roster changes until Apply.
func (s *Handlers) ImportUpload(c *kit.Call) {
	format, files, done, err := s.readUpload(c)
	defer done()
	if ve, ok := validate.As(err); ok {
		s.renderImports(c, http.StatusUnprocessableEntity, ve.Error())
		return
	}
	if err != nil {
		s.Fail(c, err)
		return
	}
	id, err := CheckUpload(c, s.Config.Files, format, files)
	if err != nil {
		s.Fail(c, err)
		return
	}
	kit.Redirect(c, "/admin/imports/"+id, "")
}

// CheckUpload plans an upload's files and stores them as an import: a
// preview to apply, or, when the files have problems that block, a failed
// import keeping only the problem report. The files are streamed from the
// spooled upload into store (see imports.CreateImport). The upload form
// and the API both call it.
func CheckUpload(c *kit.Call, store imports.FileStore, format *importer.Format, files roster.Files) (id string, err error) {
	err = c.InTx(func(sc *db.Scope) error {
		ctx := c.R.Context()
		plan, problems, err := format.Plan(ctx, sc, files)
		if err != nil {
			return err
		}
		n := imports.NewImport{Kind: format.Name, SchoolID: c.Actor().SchoolID, Files: files, Store: store}
		if plan != nil {
			n.Plan, n.Total, problems = plan, plan.Total(), plan.Problems
		}
		if problems == nil {
			problems = []roster.Problem{}
		}
		n.Problems, n.Failed = problems, roster.Blocking(problems)
		if id, err = imports.CreateImport(ctx, sc, n); err != nil {
			return err
		}
		errs, warnings := roster.Split(problems)
		return audit.Audit(ctx, sc, "import.check", id, map[string]any{"kind": format.Name, "problems": len(errs), "warnings": len(warnings)}, c.ID)
	})
	return id, err
}

// ImportNameOrder serves POST /admin/imports/name-order: the order
// imports build display names in (district admins only; the database
// refuses anyone else).
func (s *Handlers) ImportNameOrder(c *kit.Call) {
	err := c.InTx(func(sc *db.Scope) error {
		if err := settings.SetNameOrder(c.R.Context(), sc, c.R.PostFormValue("name_order")); err != nil {
			return err
		}
		return audit.Audit(c.R.Context(), sc, "settings.name_order", c.R.PostFormValue("name_order"), nil, c.ID)
	})
	if ve, ok := validate.As(err); ok {
		s.renderImports(c, http.StatusUnprocessableEntity, ve.Error())
		return
	}
	if err != nil {
		s.Fail(c, err)
		return
	}
	kit.Redirect(c, "/admin/imports", "name-order-saved")
}
