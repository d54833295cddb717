package roster

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// limits keep one upload from exhausting memory or time. Tests shrink them.
type limits struct {
	maxFileBytes int
	maxRows      int // data rows, not counting the header
}

var defaultLimits = limits{maxFileBytes: 50 << 20, maxRows: 200_000}

// tableSpec says what a file's header must hold.
type tableSpec struct {
	required []string
	// foldCase matches header names case-insensitively, for files people
	// type by hand; callers then look columns up by their lower-case names.
	// OneRoster names are case-sensitive, so its files leave this false.
	foldCase bool
}

// table is one CSV file: its header and the data rows read from it.
type table struct {
	file    string
	columns map[string]int // header name -> index
	width   int            // number of header fields
	rows    []tableRow
	// complete is false when reading stopped early (malformed CSV, too many
	// rows): the rows after that point are unknown, so nothing may be
	// concluded from a sourcedId being absent.
	complete bool
}

// tableRow is one data row. fields always has the table's width.
type tableRow struct {
	line   int // physical line where the record starts
	fields []string
	// misshapen rows had too few fields or extra non-empty ones; that has
	// been reported, and their values are not to be trusted beyond sourcedId.
	misshapen bool
}

// value returns the trimmed value of column in row, or "" when the header
// has no such column (optional columns may be left out).
func (t *table) value(row tableRow, column string) string {
	i, ok := t.columns[column]
	if !ok {
		return ""
	}
	return row.fields[i]
}

var utf8BOM = []byte("\xEF\xBB\xBF")

// readTable reads file as CSV, streaming it from src, and checks its
// header against spec and every row's field count against the header. It
// returns nil, with the reasons in problems, when nothing usable could be
// read. Only the parsed rows are kept, never the file's bytes.
func readTable(file string, src Source, spec tableSpec, lim limits, problems *problemList) *table {
	if src.Size() > int64(lim.maxFileBytes) {
		problems.add(file, 0, "", "the file is %d MB; files over %d MB are not accepted, so split the upload",
			src.Size()>>20, lim.maxFileBytes>>20)
		return nil
	}
	rc, err := src.Open()
	if err != nil {
		problems.add(file, 0, "", "the file could not be read; upload it again")
		return nil
	}
	defer rc.Close()
	lines := &lineCounter{r: bufio.NewReaderSize(io.LimitReader(rc, int64(lim.maxFileBytes)+1), 64<<10)}
	if head, _ := lines.r.Peek(len(utf8BOM)); bytes.Equal(head, utf8BOM) {
		_, _ = lines.r.Discard(len(utf8BOM))
	}

	r := csv.NewReader(lines)
	r.FieldsPerRecord = -1
	r.LazyQuotes = false
	r.ReuseRecord = false

	header, err := r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			problems.add(file, 0, "", "the file is empty; it needs a header row naming its columns")
		} else {
			addParseProblem(file, lines, err, problems)
		}
		return nil
	}
	headerLine, _ := r.FieldPos(0)
	if line, ok := invalidUTF8(header, headerLine); !ok {
		problems.add(file, line, "", `this line is not UTF-8 text; save the file as "CSV UTF-8" and upload it again`)
		return nil
	}
	t := &table{file: file, columns: map[string]int{}, width: len(header)}
	if !t.readHeader(header, headerLine, spec, problems) {
		return nil
	}

	for {
		record, err := r.Read()
		if errors.Is(err, io.EOF) {
			t.complete = true
			return t
		}
		if err != nil {
			addParseProblem(file, lines, err, problems)
			return t
		}
		line, _ := r.FieldPos(0)
		if bad, ok := invalidUTF8(record, line); !ok {
			problems.add(file, bad, "", `this line is not UTF-8 text; save the file as "CSV UTF-8" and upload it again`)
			return nil
		}
		if len(t.rows) == lim.maxRows {
			problems.add(file, line, "", "the file has more than %d rows, the most one import accepts; split it", lim.maxRows)
			return t
		}
		t.rows = append(t.rows, t.shapeRow(record, line, problems))
	}
}

// lineCounter counts the line breaks read through it, so that the number
// of the file's last line is known once it has been read to the end.
type lineCounter struct {
	r     *bufio.Reader
	lines int
	last  byte
}

func (c *lineCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.lines += bytes.Count(p[:n], []byte("\n"))
	if n > 0 {
		c.last = p[n-1]
	}
	return n, err
}

// lastLine reads the rest of the file and returns the number of its last
// non-empty line.
func (c *lineCounter) lastLine() int {
	_, _ = io.Copy(io.Discard, c)
	if c.last != '\n' {
		return c.lines + 1
	}
	return c.lines
}

// invalidUTF8 checks a record that starts on line; when a field is not
// UTF-8 it returns the line the bad bytes are on and false.
func invalidUTF8(record []string, line int) (int, bool) {
	for _, field := range record {
		if utf8.ValidString(field) {
			continue
		}
		for i, r := range field {
			if r == utf8.RuneError {
				if _, size := utf8.DecodeRuneInString(field[i:]); size <= 1 {
					return line, false
				}
			}
			if r == '\n' {
				line++
			}
		}
		return line, false
	}
	return line, true
}

// readHeader records the column positions and reports missing and repeated
// columns. It returns false when a required column is missing.
func (t *table) readHeader(header []string, line int, spec tableSpec, problems *problemList) bool {
	for i, name := range header {
		name = strings.TrimSpace(name)
		if spec.foldCase {
			name = strings.ToLower(name)
		}
		if name == "" {
			continue
		}
		if first, seen := t.columns[name]; seen {
			problems.add(t.file, line, name, "column %s appears twice (columns %d and %d); remove one",
				quote(name), first+1, i+1)
			continue
		}
		t.columns[name] = i
	}
	complete := true
	for _, want := range spec.required {
		if _, ok := t.columns[want]; ok {
			continue
		}
		complete = false
		if near := t.caseVariant(want); near != "" {
			problems.add(t.file, line, want, "column %s must be spelled %s; column names are case-sensitive",
				quote(near), quote(want))
		} else {
			problems.add(t.file, line, want, "the header has no %s column; add it", want)
		}
	}
	return complete
}

func (t *table) caseVariant(want string) string {
	for name := range t.columns {
		if strings.EqualFold(name, want) {
			return name
		}
	}
	return ""
}

// shapeRow trims the record's values and fits it to the header's width.
// Extra trailing fields that are empty are dropped silently: real exports
// (the Ed-Fi sample's teacher rows) end some rows with one comma too many.
func (t *table) shapeRow(record []string, line int, problems *problemList) tableRow {
	row := tableRow{line: line, fields: make([]string, t.width)}
	for i := range min(len(record), t.width) {
		row.fields[i] = strings.TrimSpace(record[i])
	}
	switch {
	case len(record) < t.width:
		row.misshapen = true
		problems.add(t.file, line, "", "the row has %d fields but the header has %d columns; add the missing fields (an empty value still needs its comma)",
			len(record), t.width)
	case len(record) > t.width:
		for i, extra := range record[t.width:] {
			if strings.TrimSpace(extra) != "" {
				row.misshapen = true
				problems.add(t.file, line, "", "the row has %d fields but the header has %d columns, and field %d holds %s; remove it, or put values that contain commas in double quotes",
					len(record), t.width, t.width+i+1, quote(extra))
				break
			}
		}
	}
	return row
}

// addParseProblem reports malformed CSV at the line where the broken record
// starts, which is where the admin has to look, even when the parser only
// noticed further down (an unclosed quote swallows the rest of the file).
func addParseProblem(file string, lines *lineCounter, err error, problems *problemList) {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		problems.add(file, 0, "", "the file could not be read as CSV; save it as CSV and upload it again")
		return
	}
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		problems.add(file, pe.StartLine, "", `a " appears inside a value that does not start with one (line %d, column %d); put the whole value in double quotes and write the " inside it twice`,
			pe.Line, pe.Column)
	case errors.Is(pe.Err, csv.ErrQuote) && pe.Line != pe.StartLine && pe.Line >= lines.lastLine():
		problems.add(file, pe.StartLine, "", `a quoted value on this line is never closed, so the rest of the file (to line %d) was read as one value; add the closing "`,
			pe.Line)
	case errors.Is(pe.Err, csv.ErrQuote):
		problems.add(file, pe.StartLine, "", `a quoted value has text after its closing " (line %d, column %d), or is never closed; quote the whole value and write any " inside it twice`,
			pe.Line, pe.Column)
	default:
		problems.add(file, pe.StartLine, "", "the CSV is malformed here (line %d, column %d); fix this line and upload again",
			pe.Line, pe.Column)
	}
}
