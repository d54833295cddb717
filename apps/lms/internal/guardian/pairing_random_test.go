package guardian

import (
	"strings"
	"testing"
)

// Every character of a pairing code comes from the alphabet, and over many
// draws each character appears (a mapping that cut the alphabet short would
// leave some out). Uniformity itself follows from the rejection in randomText.
func TestRandomTextUsesTheWholeAlphabetOnly(t *testing.T) {
	seen := map[rune]int{}
	for range 2000 {
		s := randomText(8)
		if len(s) != 8 {
			t.Fatalf("randomText(8) = %q", s)
		}
		for _, c := range s {
			if !strings.ContainsRune(codeAlphabet, c) {
				t.Fatalf("%q is not in the alphabet", c)
			}
			seen[c]++
		}
	}
	if len(seen) != len(codeAlphabet) {
		t.Fatalf("saw %d of %d characters", len(seen), len(codeAlphabet))
	}
}
