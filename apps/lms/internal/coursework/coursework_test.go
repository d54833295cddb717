package coursework

import (
	"math/big"
	"strings"
	"testing"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/grading/calc"
)

func TestDueDatesAreReadInTheSchoolsTimeZone(t *testing.T) {
	// 23:59 on Dec 1 in Chicago (CST, UTC-6) is 05:59 UTC on Dec 2; in
	// July (CDT, UTC-5) 04:59 UTC.
	for value, want := range map[string]string{
		"2026-12-01T23:59": "2026-12-02T05:59:00Z",
		"2026-07-01T23:59": "2026-07-02T04:59:00Z",
		"2026-12-01":       "2026-12-02T05:59:00Z", // a date alone: the end of that day
	} {
		got, err := ParseLocal(value, "America/Chicago")
		if err != nil || got.UTC().Format(time.RFC3339) != want {
			t.Errorf("ParseLocal(%q) = %v, %v; want %s", value, got, err, want)
		}
		if value != "2026-12-01" && FormatLocal(got, "America/Chicago") != value {
			t.Errorf("FormatLocal gives back %q, want %q", FormatLocal(got, "America/Chicago"), value)
		}
	}
	if got, err := ParseLocal("", "America/Chicago"); got != nil || err != nil {
		t.Errorf("empty: %v %v", got, err)
	}
	if _, err := ParseLocal("next tuesday", "America/Chicago"); err == nil {
		t.Error("nonsense accepted")
	}
}

func TestEffectiveDueAndDerivedStatus(t *testing.T) {
	at := func(h int) *time.Time { v := time.Date(2026, 12, 1, h, 0, 0, 0, time.UTC); return &v }
	d := Due{Default: at(10), BySection: map[string]time.Time{"s2": *at(12)}, ByStudent: map[string]time.Time{"kim": *at(14)}}
	if got := d.For("s1", "lee"); !got.Equal(*at(10)) {
		t.Errorf("default: %v", got)
	}
	if got := d.For("s2", "lee"); !got.Equal(*at(12)) {
		t.Errorf("section override: %v", got)
	}
	if got := d.For("s2", "kim"); !got.Equal(*at(14)) {
		t.Errorf("the student's override wins over the section's: %v", got)
	}
	ov := func(o Override) *Override { return &o }
	cases := []struct {
		name     string
		override *Override
		due, sub *time.Time
		expects  bool
		now      *time.Time
		want     State
	}{
		{"on time", nil, at(10), at(9), true, at(11), StateSubmitted},
		{"late", nil, at(10), at(11), true, at(12), StateLate},
		{"missing after the due date", nil, at(10), nil, true, at(11), StateMissing},
		{"not yet due", nil, at(10), nil, true, at(9), StateNone},
		{"no due date is never missing", nil, nil, nil, true, at(23), StateNone},
		{"on paper is never missing", nil, at(10), nil, false, at(11), StateNone},
		{"excused", ov(OverrideExcused), at(10), nil, true, at(11), StateExcused},
		{"teacher says not late", ov(OverrideNone), at(10), at(11), true, at(12), StateSubmitted},
		{"teacher says not missing", ov(OverrideNone), at(10), nil, true, at(12), StateNone},
		{"teacher marks missing", ov(OverrideMissing), at(10), at(9), true, at(12), StateMissing},
		{"teacher marks late", ov(OverrideLate), at(10), at(9), true, at(12), StateLate},
	}
	for _, tc := range cases {
		if got := Status(tc.override, tc.due, tc.sub, tc.expects, *tc.now); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestInstructionsAreSanitised(t *testing.T) {
	in := `<p onclick="steal()">Read <b>chapter 3</b> <a href="https://example.org/ch3">here</a>.</p><script>alert(1)</script><img src=x onerror=alert(1)><a href="javascript:alert(1)">x</a>`
	out := SanitizeInstructions(in)
	for _, bad := range []string{"<script", "onclick", "onerror", "javascript:"} {
		if strings.Contains(out, bad) {
			t.Errorf("%q survived: %s", bad, out)
		}
	}
	for _, good := range []string{"<b>chapter 3</b>", `href="https://example.org/ch3"`, `rel="nofollow`} {
		if !strings.Contains(out, good) {
			t.Errorf("%q lost: %s", good, out)
		}
	}
}

func TestGradeInputReadsWhatTeachersType(t *testing.T) {
	ten, rubric := 10.0, 7.5
	cases := []struct {
		typ    GradingType
		score  string
		rubric *float64
		want   *float64
		ok     bool
	}{
		{Points, "8.5", nil, f(8.5), true},
		{Points, "", &rubric, f(7.5), true},
		{Points, "", nil, nil, true},
		{Points, "-1", nil, nil, false},
		{Points, "eight", nil, nil, false},
		{CompleteIncomplete, "complete", nil, f(10), true},
		{CompleteIncomplete, "incomplete", nil, f(0), true},
		{CompleteIncomplete, "maybe", nil, nil, false},
		{Letter, "B", nil, f(8.4), true},
		{Letter, "9", nil, f(9), true},
		{Letter, "Q", nil, nil, false},
		{NotGraded, "5", nil, nil, false},
	}
	for _, tc := range cases {
		a := &Assignment{GradingType: tc.typ, PointsPossible: &ten}
		got, _, err := GradeInput{Score: tc.score, RubricScore: tc.rubric}.score(a, nil)
		if (err == nil) != tc.ok || (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
			t.Errorf("%s %q: %v, %v; want %v (ok %v)", tc.typ, tc.score, deref(got), err, deref(tc.want), tc.ok)
		}
	}
}

// With a section scheme a letter is worth the top of its band there (B with
// A 90, B 80 is 89%, Canvas's rule), and letters outside it are refused.
func TestLettersUseTheSectionsScheme(t *testing.T) {
	scheme := &calc.Scheme{Entries: []calc.SchemeEntry{{Letter: "A", MinPercent: big.NewRat(90, 1)},
		{Letter: "B", MinPercent: big.NewRat(80, 1)}, {Letter: "F", MinPercent: new(big.Rat)}}}
	ten := 10.0
	a := &Assignment{GradingType: Letter, PointsPossible: &ten}
	for in, want := range map[string]float64{"A": 10, "b": 8.9, "F": 7.9} {
		got, entered, err := GradeInput{Score: in}.score(a, scheme)
		if err != nil || got == nil || *got != want || !strings.EqualFold(entered, in) {
			t.Errorf("%q: %v %q %v; want %v", in, deref(got), entered, err, want)
		}
	}
	if _, _, err := (GradeInput{Score: "C"}).score(a, scheme); err == nil {
		t.Error("a letter outside the scheme was accepted")
	}
}

func f(v float64) *float64 { return &v }

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
