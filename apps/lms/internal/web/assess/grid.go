package assess

import (
	"html/template"

	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/grading"
	"bellwork.dev/bellwork/apps/lms/internal/grading/calc"
)

// Filter narrows the grid: columns of one group or period, rows of
// students with missing or late work among them.
type Filter struct {
	Group, Period string
	Show          string // "", missing or late
}

// Grid is the gradebook as the page and the CSV export show it.
type Grid struct {
	Section *classes.Section
	Book    *grading.Section
	Filter  Filter
	Columns []grading.Column
	Groups  []grading.GroupInfo
	Periods []grading.PeriodInfo
	Rows    []GridRow
}

// GridRow is one student's line.
type GridRow struct {
	StudentID string
	Name      string
	Cells     []GridCell
	// CellsHTML is Cells as the page shows them (see appendCell).
	CellsHTML template.HTML
	Groups    []string // current percent per grid group, "" for none
	Periods   []string // current percent per period
	Current   string
	Final     string
	Letter    string
	// Overridden: a final-grade override (Override its percentage, when
	// it has one) is shown instead of the calculated grade.
	Overridden bool
	Override   string
}

// GridCell is one student's work on one assignment.
type GridCell struct {
	Score    string // "" when ungraded
	Possible string
	State    calc.ItemState
	Late     bool
	Missing  bool
	Dropped  bool
	Hidden   bool
}

func pct(a *calc.Amount) string {
	if a == nil {
		return ""
	}
	return a.String()
}

// BuildGrid lays a section's grades out as rows and columns.
func BuildGrid(sec *classes.Section, book *grading.Section, f Filter) *Grid {
	g := &Grid{Section: sec, Book: book, Filter: f, Periods: book.Periods}
	for _, gr := range book.Groups {
		if gr.ID == grading.Ungrouped {
			continue
		}
		g.Groups = append(g.Groups, gr)
	}
	periodOf := map[string]string{}
	if len(book.Students) > 0 {
		for _, it := range book.Students[0].Result.Items {
			periodOf[it.AssignmentID] = it.PeriodID
		}
	}
	for _, c := range book.Columns {
		if f.Group != "" && c.GroupID != f.Group {
			continue
		}
		if f.Period != "" && periodOf[c.ID] != f.Period {
			continue
		}
		g.Columns = append(g.Columns, c)
	}
	// Each shown column's position, to place a student's items and drops.
	column := make(map[string]int, len(g.Columns))
	for i, c := range g.Columns {
		column[c.ID] = i
	}
	items := make([]*calc.Item, len(g.Columns))
	dropped := make([]bool, len(g.Columns))
	var buf []byte
	for _, st := range book.Students {
		r := st.Result
		clear(items)
		clear(dropped)
		for i := range r.Items {
			if ci, ok := column[r.Items[i].AssignmentID]; ok {
				items[ci] = &r.Items[i]
			}
		}
		for _, gr := range r.Groups {
			for _, d := range gr.Current.Dropped {
				if ci, ok := column[d.AssignmentID]; ok {
					dropped[ci] = true
				}
			}
		}
		row := GridRow{StudentID: st.StudentID, Name: st.Name, Current: pct(r.Current.Percent), Final: pct(r.Final.Percent),
			Letter: r.Shown().Letter}
		if r.Override != nil {
			row.Overridden, row.Override = true, pct(r.Override.Percent)
		}
		flagged := false
		row.Cells = make([]GridCell, 0, len(g.Columns))
		buf = buf[:0]
		for ci := range g.Columns {
			it := items[ci]
			if it == nil {
				it = &calc.Item{}
			}
			cell := GridCell{Score: pct(it.Score), Possible: pct(it.Possible), State: it.State, Late: it.Late, Missing: it.Missing,
				Dropped: dropped[ci], Hidden: it.Hidden}
			if (f.Show == "missing" && it.Missing) || (f.Show == "late" && it.Late) {
				flagged = true
			}
			row.Cells = append(row.Cells, cell)
			buf = appendCell(buf, cell)
		}
		if (f.Show == "missing" || f.Show == "late") && !flagged {
			continue
		}
		row.CellsHTML = template.HTML(buf) // every value in it is escaped by appendCell
		groupPct := map[string]string{}
		for _, gr := range r.Groups {
			groupPct[gr.GroupID] = pct(gr.Current.Percent)
		}
		for _, gr := range g.Groups {
			row.Groups = append(row.Groups, groupPct[gr.ID])
		}
		periodPct := map[string]string{}
		for _, p := range r.Periods {
			periodPct[p.PeriodID] = pct(p.Current.Percent)
		}
		for _, p := range g.Periods {
			row.Periods = append(row.Periods, periodPct[p.ID])
		}
		g.Rows = append(g.Rows, row)
	}
	return g
}

// appendCell writes one grid cell as the gradebook shows it. The page's
// 4,000 cells are written here rather than by the template, which spent
// most of a gradebook request evaluating them one by one; the markup is the
// one the template wrote (TestCellsHTMLMatchesTemplate), and the only value
// in it, the score, is HTML-escaped as the template would.
func appendCell(b []byte, c GridCell) []byte {
	b = append(b, "<td>"...)
	switch {
	case c.State == calc.Excused:
		b = append(b, `<span class="badge">Excused</span>`...)
	case c.Score != "":
		b = append(b, template.HTMLEscapeString(c.Score)...)
	default:
		b = append(b, `<span class="muted" aria-label="Not graded">–</span>`...)
	}
	if c.Dropped {
		b = append(b, ` <span class="badge">Dropped</span>`...)
	}
	if c.Missing {
		b = append(b, ` <span class="badge warn">Missing</span>`...)
	}
	if c.Late {
		b = append(b, ` <span class="badge warn">Late</span>`...)
	}
	return append(b, "</td>"...)
}
