package assess

import (
	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/grading"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// masteryGrid is the outcomes view of a gradebook: a row per student, a
// column per outcome, each cell the mastery score by the outcome's method
// and whether it meets the mastery points.
type masteryGrid struct {
	Section *classes.Section
	Book    *grading.Section
	Rows    []masteryRow
}

type masteryRow struct {
	StudentID string
	Name      string
	Cells     []grading.MasteryReport
	Met       int
}

// Outcomes shows a section's students × outcomes (grading.ForSection
// computes mastery with grading/calc, from the recorded results).
func (s *Handlers) Outcomes(c *kit.Call) {
	g := &masteryGrid{}
	err := c.InTx(func(sc *db.Scope) (err error) {
		ctx := c.R.Context()
		if g.Section, err = classes.GetSection(ctx, sc, c.R.PathValue("id")); err != nil {
			return err
		}
		g.Book, err = grading.ForSection(ctx, sc, g.Section.ID, s.Now())
		return err
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	for i := range g.Book.Students {
		st := &g.Book.Students[i]
		row := masteryRow{StudentID: st.StudentID, Name: st.Name, Cells: g.Book.Mastery(st)}
		for _, m := range row.Cells {
			if m.Mastered {
				row.Met++
			}
		}
		g.Rows = append(g.Rows, row)
	}
	s.Render(c, "gradebook_outcomes", "Outcomes · "+g.Section.Title, g)
}
