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

// Problem is one reason a file cannot be imported as is, or, when Warning
// is set, something the import read leniently and imports anyway (an old
// status word, a missing courses.csv) that the admin should know about.
type Problem struct {
	File    string `json:"File"`              // e.g. "users.csv"
	Line    int    `json:"Line"`              // 1-based physical line in the file (header is line 1); 0 for whole-file problems
	Field   string `json:"Field"`             // column name, "" when the whole row/file is at fault
	Reason  string `json:"Reason"`            // human sentence saying what to fix
	Warning bool   `json:"Warning,omitempty"` // imported anyway; does not block applying
}

// Blocking reports whether any of problems is not a warning: such an
// upload is refused.
func Blocking(problems []Problem) bool {
	return slices.ContainsFunc(problems, func(p Problem) bool { return !p.Warning })
}

// Split separates problems that block applying from warnings.
func Split(problems []Problem) (errs, warnings []Problem) {
	for _, p := range problems {
		if p.Warning {
			warnings = append(warnings, p)
		} else {
			errs = append(errs, p)
		}
	}
	return errs, warnings
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

// WriteProblemsCSV writes "file,line,field,reason,severity" with a header row, for
// download. Whole-file problems (Line 0) leave the line cell empty. A cell that
// a spreadsheet would run as a formula (starting with = + - @ or a control
// character) is prefixed with ' so that opening the report is harmless.
func WriteProblemsCSV(w io.Writer, problems []Problem) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"file", "line", "field", "reason", "severity"}); err != nil {
		return fmt.Errorf("writing problems header: %w", err)
	}
	for _, p := range problems {
		line := ""
		if p.Line > 0 {
			line = strconv.Itoa(p.Line)
		}
		severity := "error"
		if p.Warning {
			severity = "warning"
		}
		record := []string{spreadsheetSafe(p.File), line, spreadsheetSafe(p.Field), spreadsheetSafe(p.Reason), severity}
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
// Warnings about many rows of a file for the same reason are gathered into
// one (see warnRows), so leniency never crowds out the real problems.
type problemList struct {
	kept         []Problem
	omitted      int
	omittedFiles []string
	rowWarnings  []*rowWarning
}

// rowWarning is one reason that applies to some rows of a file.
type rowWarning struct {
	file, field, reason string
	first, count        int
}

func (l *problemList) add(file string, line int, field, format string, args ...any) {
	l.push(Problem{File: file, Line: line, Field: field, Reason: fmt.Sprintf(format, args...)})
}

// warn records something imported anyway.
func (l *problemList) warn(file string, line int, field, format string, args ...any) {
	l.push(Problem{File: file, Line: line, Field: field, Reason: fmt.Sprintf(format, args...), Warning: true})
}

// warnRows records that a row of file was read leniently for reason; all
// rows with the same file, field and reason become one warning naming how
// many rows and the first line.
func (l *problemList) warnRows(file string, line int, field, reason string) {
	for _, w := range l.rowWarnings {
		if w.file == file && w.field == field && w.reason == reason {
			w.count++
			return
		}
	}
	l.rowWarnings = append(l.rowWarnings, &rowWarning{file: file, field: field, reason: reason, first: line, count: 1})
}

func (l *problemList) push(p Problem) {
	if len(l.kept) < maxProblems {
		l.kept = append(l.kept, p)
		return
	}
	l.omitted++
	if !slices.Contains(l.omittedFiles, p.File) {
		l.omittedFiles = append(l.omittedFiles, p.File)
	}
}

// empty reports whether nothing was wrong at all, counting omitted problems.
func (l *problemList) empty() bool {
	return len(l.kept) == 0 && l.omitted == 0 && len(l.rowWarnings) == 0
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
	for _, w := range l.rowWarnings {
		reason := w.reason
		if w.count > 1 {
			reason = fmt.Sprintf("%s (%d rows, the first on this line)", reason, w.count)
		}
		out = append(out, Problem{File: w.file, Line: w.first, Field: w.field, Reason: reason, Warning: true})
	}
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
