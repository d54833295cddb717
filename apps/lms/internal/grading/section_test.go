package grading

import (
	"math/big"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"
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

// uuidBytes reads what pgx writes for a uuid, so grade rows scanned as bytes
// find the students and assignments read as text.
func TestUUIDBytesMatchesPgtype(t *testing.T) {
	for _, s := range []string{"9d38a643-f9ad-4c4e-b224-36244886a40a", "00000000-0000-0000-0000-000000000000", "FFFFFFFF-ffff-4c4e-B224-36244886A40A"} {
		var u pgtype.UUID
		if err := u.Scan(s); err != nil {
			t.Fatal(err)
		}
		if b, ok := uuidBytes(s); !ok || b != u.Bytes {
			t.Errorf("uuidBytes(%q) = %x %v, want %x", s, b, ok, u.Bytes)
		}
	}
	for _, s := range []string{"", "9d38a643f9ad4c4eb22436244886a40a", "9d38a643-f9ad-4c4e-b224-36244886a40g"} {
		if _, ok := uuidBytes(s); ok {
			t.Errorf("uuidBytes(%q) accepted a malformed id", s)
		}
	}
}
