package roster

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// String reads as "file line N, field: reason", leaving out what is unset.
func TestProblemString(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{File: "users.csv", Line: 5, Field: "role", Reason: "bad role"}, "users.csv line 5, role: bad role"},
		{Problem{File: "users.csv", Line: 5, Field: "", Reason: "bad row"}, "users.csv line 5: bad row"},
		{Problem{File: "users.csv", Line: 1, Field: "email", Reason: "missing"}, "users.csv line 1, email: missing"},
		{Problem{File: "users.csv", Line: 0, Field: "", Reason: "missing file"}, "users.csv: missing file"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

// The downloadable report reads back through encoding/csv to the same
// problems, commas, quotes and newlines included; line 0 is an empty cell.
func TestWriteProblemsCSVRoundTrips(t *testing.T) {
	problems := []Problem{
		{File: "users.csv", Line: 3, Field: "role", Reason: `role "techer" is not one of administrator, aide, teacher`},
		{File: "orgs.csv", Line: 0, Field: "", Reason: "orgs.csv is missing;\nadd it"},
		{File: "enrollments.csv", Line: 200001, Field: "", Reason: "too, many, rows"},
		{File: "courses.csv", Reason: "courses.csv is missing; courses were made from classes", Warning: true},
	}
	var buf bytes.Buffer
	if err := WriteProblemsCSV(&buf, problems); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("reading the report back: %v", err)
	}
	if want := []string{"file", "line", "field", "reason", "severity"}; !reflect.DeepEqual(records[0], want) {
		t.Errorf("header = %q, want %q", records[0], want)
	}
	var got []Problem
	for _, r := range records[1:] {
		line := 0
		if r[1] != "" {
			line, err = strconv.Atoi(r[1])
			if err != nil {
				t.Fatalf("line cell %q: %v", r[1], err)
			}
		}
		got = append(got, Problem{File: r[0], Line: line, Field: r[2], Reason: r[3], Warning: r[4] == "warning"})
	}
	if !reflect.DeepEqual(got, problems) {
		t.Errorf("round trip:\n got %q\nwant %q", got, problems)
	}
}

// A cell a spreadsheet would run as a formula is defused with a quote mark.
func TestWriteProblemsCSVDefusesFormulas(t *testing.T) {
	var buf bytes.Buffer
	err := WriteProblemsCSV(&buf, []Problem{{File: "=HYPERLINK(\"x\").csv", Line: 2, Field: "@field", Reason: "-1 is wrong"}})
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, cell := range []string{records[1][0], records[1][2], records[1][3]} {
		if !strings.HasPrefix(cell, "'") {
			t.Errorf("cell %q is not defused", cell)
		}
	}
}

// Values quoted into reasons are cut short, so one huge cell cannot make a
// huge report.
func TestQuoteShortensLongValues(t *testing.T) {
	if got := quote(strings.Repeat("é", 500)); len([]rune(got)) != 60+3 {
		t.Errorf("quote kept %d runes: %s", len([]rune(got)), got)
	}
	if got := quote("short"); got != `"short"` {
		t.Errorf("quote(short) = %s", got)
	}
}
