package assess

import (
	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/grading"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// Gradebook shows one section's grid: a row per student, a column per
// published assignment (filtered by group and period), group and period
// totals, current and final grades. Sections the teacher does not teach
// are invisible to them (row-level security), so they read as not found.
func (s *Handlers) Gradebook(c *kit.Call) {
	g, err := s.loadGrid(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "gradebook", "Gradebook · "+g.Section.Title, g)
}

// loadGrid reads the section and its grades (grading.ForSection: a few
// queries for the whole grid) and applies the query's filters.
func (s *Handlers) loadGrid(c *kit.Call) (*Grid, error) {
	var sec *classes.Section
	var book *grading.Section
	err := c.InTx(func(sc *db.Scope) (err error) {
		ctx := c.R.Context()
		if sec, err = classes.GetSection(ctx, sc, c.R.PathValue("id")); err != nil {
			return err
		}
		book, err = grading.ForSection(ctx, sc, sec.ID, s.Now())
		return err
	})
	if err != nil {
		return nil, err
	}
	q := c.R.URL.Query()
	return BuildGrid(sec, book, Filter{Group: q.Get("group"), Period: q.Get("period"), Show: q.Get("show")}), nil
}
