package calc

import (
	"fmt"
	"math/big"
	"sort"
	"strings"
)

// Scheme is a course's grading scheme: letters and the lowest percentage
// that earns each.
type Scheme struct {
	Entries []SchemeEntry
}

// SchemeEntry is one letter and its cut-off.
type SchemeEntry struct {
	Letter string
	// MinPercent is the lowest percentage that earns Letter.
	MinPercent *big.Rat
}

func (s *Scheme) ordered() []SchemeEntry {
	es := append([]SchemeEntry(nil), s.Entries...)
	sort.SliceStable(es, func(i, j int) bool { return orZero(es[i].MinPercent).Cmp(orZero(es[j].MinPercent)) > 0 })
	return es
}

// LetterFor is the letter of the highest cut-off at or below pct; a
// percentage below every cut-off (or negative) gets the lowest letter. The
// percentage is first rounded half up to two decimals, so 89.995 shows as
// 90.00 and earns the letter of 90.
func (s *Scheme) LetterFor(pct *big.Rat) string {
	if pct == nil {
		return ""
	}
	return s.letterForHundredths(roundHundredths(pct))
}

// letterForHundredths is LetterFor of a percentage already rounded to h
// hundredths.
func (s *Scheme) letterForHundredths(h int64) string {
	if s == nil || len(s.Entries) == 0 {
		return ""
	}
	shown := small(h, 100)
	es := s.ordered()
	for _, e := range es {
		if shown.cmp(numOf(e.MinPercent)) >= 0 {
			return e.Letter
		}
	}
	return es[len(es)-1].Letter
}

// PercentFor is what a letter grade is worth: 100 for the first letter,
// otherwise one below the next higher cut-off, or a tenth below it when the
// two cut-offs are less than one point apart (Canvas's rule, so "B" with
// cut-offs A 90, B 80 is worth 89). Letters match case-insensitively.
func (s *Scheme) PercentFor(letter string) (*big.Rat, error) {
	if s == nil {
		return nil, fmt.Errorf("calc: letter %q given but the course has no grading scheme", letter)
	}
	es := s.ordered()
	for i, e := range es {
		if !strings.EqualFold(e.Letter, letter) {
			continue
		}
		if i == 0 {
			return big.NewRat(100, 1), nil
		}
		above := orZero(es[i-1].MinPercent)
		step := big.NewRat(1, 1)
		if sub(above, orZero(e.MinPercent)).Cmp(step) < 0 {
			step = big.NewRat(1, 10)
		}
		return sub(above, step), nil
	}
	return nil, fmt.Errorf("calc: letter %q is not in the grading scheme", letter)
}
