package assess

import (
	"encoding/csv"
	"strings"

	"bellwork.dev/bellwork/apps/lms/internal/grading/calc"

	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// GradebookCSV downloads the grid as it is filtered, one row per student.
// Every cell is defused against spreadsheet formulas (Defuse).
func (s *Handlers) GradebookCSV(c *kit.Call) {
	g, err := s.loadGrid(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	c.W.Header().Set("Content-Type", "text/csv; charset=utf-8")
	c.W.Header().Set("Content-Disposition", `attachment; filename="gradebook.csv"`)
	c.W.Header().Set("Cache-Control", "no-store")
	w := csv.NewWriter(c.W)
	_ = w.WriteAll(g.Records())
}

// Records is the grid as CSV records: a header, then one row per student.
func (g *Grid) Records() [][]string {
	head := []string{"Student"}
	for _, c := range g.Columns {
		head = append(head, c.Title)
	}
	for _, gr := range g.Groups {
		head = append(head, gr.Name+" %")
	}
	for _, p := range g.Periods {
		head = append(head, p.Name+" %")
	}
	head = append(head, "Current %", "Final %", "Override %", "Letter")
	out := [][]string{defuseAll(head)}
	for _, r := range g.Rows {
		rec := []string{r.Name}
		for _, c := range r.Cells {
			v := c.Score
			switch {
			case c.State == calc.Excused:
				v = "EX"
			case c.Hidden:
				v = ""
			}
			rec = append(rec, v)
		}
		rec = append(rec, r.Groups...)
		rec = append(rec, r.Periods...)
		rec = append(rec, r.Current, r.Final, r.Override, r.Letter)
		out = append(out, defuseAll(rec))
	}
	return out
}

func defuseAll(rec []string) []string {
	for i, v := range rec {
		rec[i] = Defuse(v)
	}
	return rec
}

// Defuse keeps a spreadsheet from reading a cell as a formula: a value
// starting with =, +, -, @, a tab or a carriage return gets a leading
// apostrophe (OWASP's advice for CSV injection). Scores and percentages
// are never negative, so no number is changed.
func Defuse(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
