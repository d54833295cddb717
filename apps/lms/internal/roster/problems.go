package roster

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// maxProblems bounds the report so a wholly wrong file cannot flood the
// preview page; one more Problem then says how many were left out.
const maxProblems = 1000

// Problem is one reason a file cannot be imported as is.
type Problem struct {
	File   string // e.g. "users.csv"
	Line   int    // 1-based physical line in the file (header is line 1); 0 for whole-file problems
	Field  string // column name, "" when the whole row/file is at fault
	Reason string // human sentence saying what to fix
}

// String renders the problem for logs and plain-text reports,
// e.g. `users.csv line 5, role: role "techer" is not one of …`.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, " line %d", p.Line)
	}
	if p.Field != "" {
		fmt.Fprintf(&b, ", %s", p.Field)
	}
	b.WriteString(": ")
	b.WriteString(p.Reason)
	return b.String()
}

// WriteProblemsCSV writes "file,line,field,reason" with a header row, for
// download. Whole-file problems (Line 0) leave the line cell empty. A cell that
// a spreadsheet would run as a formula (starting with = + - @ or a control
// character) is prefixed with ' so that opening the report is harmless.
func WriteProblemsCSV(w io.Writer, problems []Problem) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"file", "line", "field", "reason"}); err != nil {
		return fmt.Errorf("writing problems header: %w", err)
	}
	for _, p := range problems {
		line := ""
		if p.Line > 0 {
			line = strconv.Itoa(p.Line)
		}
		record := []string{spreadsheetSafe(p.File), line, spreadsheetSafe(p.Field), spreadsheetSafe(p.Reason)}
		if err := cw.Write(record); err != nil {
			return fmt.Errorf("writing problem row: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("writing problems: %w", err)
	}
	return nil
}

func spreadsheetSafe(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

// problemList collects problems up to maxProblems and counts the rest.
type problemList struct {
	kept         []Problem
	omitted      int
	omittedFiles []string
}

func (l *problemList) add(file string, line int, field, format string, args ...any) {
	if len(l.kept) < maxProblems {
		l.kept = append(l.kept, Problem{File: file, Line: line, Field: field, Reason: fmt.Sprintf(format, args...)})
		return
	}
	l.omitted++
	if !slices.Contains(l.omittedFiles, file) {
		l.omittedFiles = append(l.omittedFiles, file)
	}
}

// empty reports whether nothing was wrong at all, counting omitted problems.
func (l *problemList) empty() bool {
	return len(l.kept) == 0 && l.omitted == 0
}

// result orders the kept problems by file (in fileOrder; others last) and
// line, and appends the note about omitted problems, if any.
func (l *problemList) result(fileOrder []string) []Problem {
	rank := func(file string) int {
		if i := slices.Index(fileOrder, file); i >= 0 {
			return i
		}
		return len(fileOrder)
	}
	out := slices.Clone(l.kept)
	slices.SortStableFunc(out, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(rank(a.File), rank(b.File)), cmp.Compare(a.Line, b.Line))
	})
	if l.omitted > 0 {
		out = append(out, Problem{
			File: strings.Join(l.omittedFiles, ", "),
			Reason: fmt.Sprintf("%d more problems were not listed; fix the ones above and upload again to see the rest",
				l.omitted),
		})
	}
	return out
}

// quote shows a value from the upload inside a reason, cut short so that one
// huge cell cannot blow up the report.
func quote(value string) string {
	const maxRunes = 60
	runes := 0
	for i := range value {
		if runes == maxRunes {
			value = value[:i] + "…"
			break
		}
		runes++
	}
	return strconv.Quote(value)
}
