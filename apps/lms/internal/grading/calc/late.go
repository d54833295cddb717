package calc

import (
	"math/big"
	"time"
)

// LatePolicy is a course's automatic late deduction and missing score.
type LatePolicy struct {
	// LateDeduction is the percentage of points possible taken off per
	// started Interval of lateness (10 = 10% per day); nil or zero turns
	// late deductions off.
	LateDeduction *big.Rat
	// Interval is the lateness unit: time.Hour or 24*time.Hour. Lateness
	// is rounded up to whole intervals (one minute late is one day late).
	Interval time.Duration
	// FloorPercent is the lowest percentage a late deduction can bring a
	// score down to; a score already below it is not reduced. nil is 0.
	FloorPercent *big.Rat
	// MissingEnabled gives missing work that has no grade an automatic
	// score of MissingScorePercent of points possible (complete/incomplete
	// work gets zero). The automatic score counts as a grade.
	MissingEnabled      bool
	MissingScorePercent *big.Rat
}

// lateDeduction is the points taken off score for work late by lateFor:
// possible × min(deduction × intervals, max(score% − floor, 0)) / 100.
func (p *LatePolicy) lateDeduction(score, possible *big.Rat, lateFor time.Duration) *big.Rat {
	if p == nil || p.LateDeduction == nil || p.LateDeduction.Sign() <= 0 || lateFor <= 0 ||
		possible == nil || possible.Sign() <= 0 || p.Interval <= 0 {
		return nil
	}
	intervals := int64(lateFor / p.Interval)
	if lateFor%p.Interval != 0 {
		intervals++
	}
	deduct := mul(p.LateDeduction, new(big.Rat).SetInt64(intervals))
	room := sub(percentOf(score, possible), orZero(p.FloorPercent))
	if room.Sign() < 0 {
		room = new(big.Rat)
	}
	if room.Cmp(deduct) < 0 {
		deduct = room
	}
	if deduct.Sign() == 0 {
		return nil
	}
	return ofPercent(possible, deduct)
}

// missingScore is the automatic score of missing, ungraded work.
func (p *LatePolicy) missingScore(a *Assignment) *big.Rat {
	if p == nil || !p.MissingEnabled {
		return nil
	}
	if a.GradingType == CompleteIncomplete {
		return new(big.Rat)
	}
	return ofPercent(orZero(a.PointsPossible), orZero(p.MissingScorePercent))
}
