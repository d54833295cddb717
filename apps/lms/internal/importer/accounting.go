package importer

import (
	"fmt"
	"slices"

	"bellwork.dev/bellwork/apps/lms/internal/roster"
)

// maxSkipsListed bounds the skipped rows a plan lists per file; the counts
// are complete.
const maxSkipsListed = 200

// FileTally accounts for every data row of one uploaded file: Read =
// Imported + Skipped, and each skipped row is listed (up to 200 per file)
// with its line and the reason. Imported rows are those the plan uses:
// created, updated, unchanged, merged with another row or deactivating.
type FileTally struct {
	File     string        `json:"file"`
	Read     int           `json:"read"`
	Imported int           `json:"imported"`
	Skipped  int           `json:"skipped"`
	Skips    []roster.Skip `json:"skips"`
}

// skip records that the planner leaves a row of file out, and why (the
// first reason given for a row stands).
func (p *Plan) skip(file string, line int, format string, args ...any) {
	if line <= 0 {
		return
	}
	if p.skips == nil {
		p.skips = map[string]map[int]string{}
	}
	if p.skips[file] == nil {
		p.skips[file] = map[int]string{}
	}
	if _, seen := p.skips[file][line]; !seen {
		p.skips[file][line] = fmt.Sprintf(format, args...)
	}
}

// tally builds Files from what the parser read and rejected and what the
// planner skipped, in fileOrder.
func (p *Plan) tally(rows map[string]*roster.FileRows) {
	p.Files = nil
	for _, file := range p.fileOrder {
		r := rows[file]
		if r == nil {
			continue
		}
		t := FileTally{File: file, Read: r.Read, Skips: []roster.Skip{}}
		skipped := map[int]string{}
		var lines []int
		for _, s := range r.Rejected {
			if _, seen := skipped[s.Line]; !seen {
				skipped[s.Line] = s.Reason
				lines = append(lines, s.Line)
			}
		}
		var planned []int
		for line := range p.skips[file] {
			if _, seen := skipped[line]; !seen {
				planned = append(planned, line)
			}
		}
		for _, line := range planned {
			skipped[line] = p.skips[file][line]
			lines = append(lines, line)
		}
		slices.Sort(lines)
		t.Skipped = len(lines)
		t.Imported = t.Read - t.Skipped
		for _, line := range lines[:min(len(lines), maxSkipsListed)] {
			t.Skips = append(t.Skips, roster.Skip{File: file, Line: line, Reason: skipped[line]})
		}
		p.Files = append(p.Files, t)
	}
}
