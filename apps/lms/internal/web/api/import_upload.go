package api

import (
	"errors"
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/importer"
	"bellwork.dev/bellwork/apps/lms/internal/roster"
	"bellwork.dev/bellwork/apps/lms/internal/web/admin"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// importUploadForm documents POST /api/v1/imports: the same multipart
// form the admin page sends.
type importUploadForm struct {
	Kind  string         `json:"kind,omitempty" enum:"oneroster,users_csv" doc:"The format; left out, it is detected from the file names"`
	Files []kit.FormFile `json:"files" doc:"A OneRoster .zip, the OneRoster CSV files, or one users CSV"`
}

// importPreview is an import as the preview shows it: what applying it
// would change, file by file accounting of every row, and what is wrong.
type importPreview struct {
	ID     string `json:"id"`
	Kind   string `json:"kind" enum:"oneroster,users_csv"`
	Status string `json:"status" enum:"previewed,queued,running,applied,failed,discarded"`
	// Applicable says Apply would be accepted now.
	Applicable bool                        `json:"applicable" doc:"True while the import is previewed, has no blocking problems and changes something"`
	Counts     map[string]*importer.Change `json:"counts" doc:"Per kind of row (term, course, section, user, membership, enrollment, guardian_link): how many are created, updated, deactivated, deleted or unchanged"`
	Changes    []importer.Item             `json:"changes" doc:"The reconciliation table: the first 500 changes, in file order"`
	Files      []importer.FileTally        `json:"files" doc:"Per file: rows read = imported + skipped, each skip with its line and reason"`
	Notes      []string                    `json:"notes"`
	Problems   []apiProblem                `json:"problems" doc:"What blocks applying; fix these and upload again"`
	Warnings   []apiProblem                `json:"warnings" doc:"What was read leniently and is imported anyway"`
	Error      string                      `json:"error,omitempty"`
}

// apiProblem is one problem or warning, with the line of its file.
type apiProblem struct {
	File   string `json:"file"`
	Line   int    `json:"line" doc:"1-based line in the file; 0 for the whole file"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

func apiProblems(ps []roster.Problem) []apiProblem {
	out := make([]apiProblem, 0, len(ps))
	for _, p := range ps {
		out = append(out, apiProblem{File: p.File, Line: p.Line, Field: p.Field, Reason: p.Reason})
	}
	return out
}

func previewOf(d *admin.ImportData) importPreview {
	i := d.Import
	p := importPreview{ID: i.ID, Kind: i.Kind, Status: i.Status, Counts: map[string]*importer.Change{},
		Changes: []importer.Item{}, Files: []importer.FileTally{}, Notes: []string{},
		Problems: apiProblems(d.Problems), Warnings: apiProblems(d.Warnings), Error: i.Error}
	if d.Plan != nil {
		p.Counts = d.Plan.Counts
		if d.Plan.Items != nil {
			p.Changes = d.Plan.Items
		}
		if d.Plan.Files != nil {
			p.Files = d.Plan.Files
		}
		if d.Plan.Notes != nil {
			p.Notes = d.Plan.Notes
		}
	}
	p.Applicable = i.Status == "previewed" && d.Plan != nil && !d.Empty && len(d.Problems) == 0
	return p
}

// CreateImport serves POST /api/v1/imports: the upload is checked and
// stored exactly as the admin page does (admin.CheckUpload), and the
// preview answered.
func (s *Handlers) CreateImport(c *kit.Call) {
	mr, err := c.MultipartReader()
	if err != nil {
		s.Problem(c, http.StatusBadRequest, "Not a multipart form", "Send the files as multipart/form-data, in parts named files.")
		return
	}
	spool, err := importer.SpoolMultipart(mr)
	defer spool.Close()
	if err == nil {
		var format *importer.Format
		var files roster.Files
		if format, files, err = importer.Collect(spool.Kind, spool.Uploads, s.Config.MaxUpload*4); err == nil {
			var id string
			if id, err = admin.CheckUpload(c, s.Config.Files, format, files); err == nil {
				s.answerImport(c, id, http.StatusCreated)
				return
			}
		}
	}
	if errors.Is(err, importer.ErrUploadTooLarge) {
		s.Problem(c, http.StatusRequestEntityTooLarge, "Upload too large", "The upload is larger than the limit. Split the roster or remove unused files.")
		return
	}
	s.apiFail(c, err)
}

// answerImport reads the import back as the caller sees it and answers
// its preview.
func (s *Handlers) answerImport(c *kit.Call, id string, status int) {
	c.R.SetPathValue("id", id)
	d, err := admin.LoadImport(c)
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if status == http.StatusCreated {
		c.W.Header().Set("Location", "/api/v1/imports/"+id)
	}
	kit.WriteJSON(c, status, previewOf(d))
}

// ApplyImport serves POST /api/v1/imports/{id}/apply: the import is queued
// as the page's Apply button does; poll GET /api/v1/imports/{id}.
func (s *Handlers) ApplyImport(c *kit.Call) {
	id := c.R.PathValue("id")
	d, err := admin.LoadImport(c)
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if d.Import.Status != "previewed" || len(d.Problems) > 0 || d.Plan == nil || d.Empty {
		s.Problem(c, http.StatusConflict, "Not applicable", "Only a previewed import with changes and no problems can be applied.")
		return
	}
	queued, err := admin.QueueImport(s.Kit, c, id)
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if !queued {
		s.Problem(c, http.StatusConflict, "Not applicable", "The import was applied, discarded or queued meanwhile.")
		return
	}
	s.answerImport(c, id, http.StatusAccepted)
}

// DiscardImport serves POST /api/v1/imports/{id}/discard.
func (s *Handlers) DiscardImport(c *kit.Call) {
	id := c.R.PathValue("id")
	if _, err := admin.LoadImport(c); err != nil {
		s.apiFail(c, err)
		return
	}
	discarded, err := admin.DiscardImport(c, s.Config.Files, id)
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if !discarded {
		s.Problem(c, http.StatusConflict, "Not discardable", "Only a previewed import can be discarded.")
		return
	}
	s.answerImport(c, id, http.StatusOK)
}
