package roster

import (
	"strconv"
	"strings"
	"testing"
)

// readTable turns malformed CSV into one problem at the record the admin must
// fix, keeps the rows before it, and marks the file incomplete.
func TestReadTableReportsMalformedCSV(t *testing.T) {
	const header = "sourcedId,name\n"
	tests := []struct {
		name     string
		data     string
		wantLine int
		reason   string
		rowsKept int
	}{
		{"quote never closed, final newline", header + "1,a\n2,\"b\n3,c\n4,d\n", 3, "never closed, so the rest of the file (to line 5)", 1},
		{"quote never closed on the last line", header + "1,a\n2,\"b", 3, "or is never closed", 1},
		{"text after a closing quote on a later line", header + "1,\"a\nb\"c\n2,d\n", 2, `text after its closing " (line 3, column 2)`, 0},
		{"bare quote", header + "1,a\n2,b\"c\n", 3, `a " appears inside a value`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var problems problemList
			tab := readTable("orgs.csv", BytesSource([]byte(tt.data)), tableSpec{required: []string{"sourcedId"}}, defaultLimits, &problems)
			got := problems.result(nil)
			if len(got) != 1 || got[0].Line != tt.wantLine || !strings.Contains(got[0].Reason, tt.reason) {
				t.Fatalf("problems = %v, want one on line %d containing %q", got, tt.wantLine, tt.reason)
			}
			if tab == nil || tab.complete || len(tab.rows) != tt.rowsKept {
				t.Errorf("table = %+v, want %d rows kept and complete=false", tab, tt.rowsKept)
			}
		})
	}
}

// Header and row shapes: what is tolerated silently and what is reported.
func TestReadTableShapes(t *testing.T) {
	tests := []struct {
		name     string
		data     string
		problems []string // "line:field" of each problem
		rows     int
		lastLine int // line of the last row read
	}{
		{"blank lines are skipped and do not shift line numbers", "\n\nsourcedId,name\n\n1,a\n", nil, 1, 5},
		{"extra empty trailing fields are dropped", "sourcedId,name\n1,a,,  ,\n", nil, 1, 2},
		{"a repeated column is reported", "sourcedId,name,name\n1,a,b\n", []string{"1:name"}, 1, 2},
		{"a line of spaces is a row with too few fields", "sourcedId,name\n1,a\n   \n", []string{"3:"}, 2, 3},
		{"header only", "sourcedId,name\n", nil, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var problems problemList
			tab := readTable("orgs.csv", BytesSource([]byte(tt.data)), tableSpec{required: []string{"sourcedId"}}, defaultLimits, &problems)
			var got []string
			for _, p := range problems.result(nil) {
				got = append(got, strings.Join([]string{strconv.Itoa(p.Line), p.Field}, ":"))
			}
			if strings.Join(got, " ") != strings.Join(tt.problems, " ") {
				t.Errorf("problems at %v, want %v", got, tt.problems)
			}
			if tab == nil || len(tab.rows) != tt.rows {
				t.Fatalf("table = %+v, want %d rows", tab, tt.rows)
			}
			if tt.rows > 0 && tab.rows[tt.rows-1].line != tt.lastLine {
				t.Errorf("last row on line %d, want %d", tab.rows[tt.rows-1].line, tt.lastLine)
			}
		})
	}
}
