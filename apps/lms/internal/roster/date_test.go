package roster

import (
	"testing"
	"time"
)

// Only YYYY-MM-DD naming a real calendar day is a date.
func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want Date
		ok   bool
	}{
		{"2020-08-17", Date{2020, time.August, 17}, true},
		{"2024-02-29", Date{2024, time.February, 29}, true},
		{"2023-02-29", Date{}, false},
		{"2020-13-01", Date{}, false},
		{"2020-8-17", Date{}, false},
		{"17/08/2020", Date{}, false},
		{"2020-08-17T00:00:00Z", Date{}, false},
		{"", Date{}, false},
	}
	for _, tt := range tests {
		got, ok := parseDate(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseDate(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
		if ok && got.String() != tt.in {
			t.Errorf("Date.String() = %q, want %q", got.String(), tt.in)
		}
	}
}

// before orders dates by year, then month, then day.
func TestDateBefore(t *testing.T) {
	a, b := Date{2020, time.December, 31}, Date{2021, time.January, 1}
	if !a.before(b) || b.before(a) || a.before(a) {
		t.Errorf("before is wrong for %s and %s", a, b)
	}
}
