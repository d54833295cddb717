package admin

import (
	"bellwork.dev/bellwork/apps/lms/internal/roster"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// ImportProblems downloads every problem as CSV.
func (s *Handlers) ImportProblems(c *kit.Call) {
	d, err := LoadImport(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	c.W.Header().Set("Content-Type", "text/csv; charset=utf-8")
	c.W.Header().Set("Content-Disposition", `attachment; filename="import-problems.csv"`)
	if err := roster.WriteProblemsCSV(c.W, d.All); err != nil {
		s.Log.Error("Could not write problems CSV", "request_id", c.ID, "err", err)
	}
}
