package roster

import (
	"slices"
	"time"
)

// This file orders the rows of a delta file. A delta lists changes since
// an earlier export: every row says whether its record is active or
// tobedeleted, and when it last changed (dateLastModified). A record that
// changed more than once may be listed more than once; the latest row wins,
// and the rows are kept in the order they changed.

// modifiedLayouts are the dateLastModified spellings real exports use:
// ISO 8601 with or without fractional seconds and zone, or a plain date.
var modifiedLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05", time.DateOnly}

func parseModified(v string) (time.Time, bool) {
	for _, layout := range modifiedLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// orderDelta checks each row's status and dateLastModified, keeps only the
// latest row of each sourcedId (a later line wins a tie), and sorts the rows
// by dateLastModified, oldest first.
func (p *bundleParser) orderDelta(t *table) {
	type dated struct {
		row tableRow
		at  time.Time
	}
	rows := make([]dated, 0, len(t.rows))
	for _, row := range t.rows {
		d := dated{row: row}
		if row.misshapen {
			rows = append(rows, d)
			continue
		}
		switch v := t.value(row, "dateLastModified"); {
		case v == "":
			p.problems.add(t.file, row.line, "dateLastModified", "dateLastModified is empty; in a delta every row says when it changed, such as 2025-01-31T14:05:00Z")
		default:
			at, ok := parseModified(v)
			if !ok {
				p.problems.add(t.file, row.line, "dateLastModified", "dateLastModified %s is not a date and time such as 2025-01-31T14:05:00Z", quote(v))
			}
			d.at = at
		}
		if t.value(row, "status") == "" {
			p.problems.add(t.file, row.line, "status", "status is empty; in a delta every row is active or tobedeleted")
		}
		rows = append(rows, d)
	}
	latest := map[string]int{}
	superseded := 0
	for i, d := range rows {
		id := t.value(d.row, "sourcedId")
		if id == "" {
			continue
		}
		if j, seen := latest[id]; seen {
			superseded++
			if !d.at.Before(rows[j].at) {
				latest[id] = i
			}
			continue
		}
		latest[id] = i
	}
	kept := rows[:0:0]
	for i, d := range rows {
		if id := t.value(d.row, "sourcedId"); id == "" || latest[id] == i {
			kept = append(kept, d)
			continue
		}
		if r := p.bundle.Rows[t.file]; r != nil {
			r.Rejected = append(r.Rejected, Skip{File: t.file, Line: d.row.line,
				Reason: "superseded by a later change to the same record (by dateLastModified)"})
		}
	}
	slices.SortStableFunc(kept, func(a, b dated) int { return a.at.Compare(b.at) })
	t.rows = t.rows[:0]
	for _, d := range kept {
		t.rows = append(t.rows, d.row)
	}
	if superseded > 0 {
		p.bundle.Notes = append(p.bundle.Notes, plural12(superseded, "row of "+t.file+" is", "rows of "+t.file+" are")+
			" superseded by a later change to the same record (by dateLastModified) and not applied.")
	}
}
