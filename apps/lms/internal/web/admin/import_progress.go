package admin

import (
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/imports"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// ImportProgress is what the import page polls and GET /api/v1/imports/{id}
// answers.
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

// ProgressOf summarises an import for the poll and the API.
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

// Progress serves GET /admin/imports/{id}/progress.
func (s *Handlers) Progress(c *kit.Call) {
	d, err := LoadImport(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	kit.WriteJSON(c, http.StatusOK, ProgressOf(d))
}
