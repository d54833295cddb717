package grading

import (
	"math/big"
	"testing"
)

// parseScore reads numeric text exactly, as big.Rat's parser does.
func TestParseScoreMatchesBigRat(t *testing.T) {
	for _, s := range []string{"0", "7.50", "10", "-2", "-0.25", "10.125", "123456.78", "0.00", "1e3", "1/3", "99999999999999999999.5", ".5", "5."} {
		want, _ := new(big.Rat).SetString(s)
		got := parseScore(s)
		if got == nil || got.Cmp(want) != 0 {
			t.Errorf("parseScore(%q) = %v, want %v", s, got, want)
		}
	}
	for _, s := range []string{"", "-", ".", "abc", "1.2.3"} {
		if _, ok := new(big.Rat).SetString(s); !ok && parseScore(s) != nil {
			t.Errorf("parseScore(%q) accepted what big.Rat refuses", s)
		}
	}
}
