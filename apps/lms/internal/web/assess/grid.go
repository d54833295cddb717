package assess

import (
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
	for _, st := range book.Students {
		r := st.Result
		items := make(map[string]calc.Item, len(r.Items))
		for _, it := range r.Items {
			items[it.AssignmentID] = it
		}
		dropped := map[string]bool{}
		for _, gr := range r.Groups {
			for _, d := range gr.Current.Dropped {
				dropped[d.AssignmentID] = true
			}
		}
		row := GridRow{StudentID: st.StudentID, Name: st.Name, Current: pct(r.Current.Percent), Final: pct(r.Final.Percent),
			Letter: r.Shown().Letter}
		if r.Override != nil {
			row.Overridden, row.Override = true, pct(r.Override.Percent)
		}
		flagged := false
		for _, c := range g.Columns {
			it := items[c.ID]
			cell := GridCell{Score: pct(it.Score), Possible: pct(it.Possible), State: it.State, Late: it.Late, Missing: it.Missing,
				Dropped: dropped[c.ID], Hidden: it.Hidden}
			if (f.Show == "missing" && it.Missing) || (f.Show == "late" && it.Late) {
				flagged = true
			}
			row.Cells = append(row.Cells, cell)
		}
		if (f.Show == "missing" || f.Show == "late") && !flagged {
			continue
		}
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
