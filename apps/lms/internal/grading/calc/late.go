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
func (p *LatePolicy) lateDeduction(score, possible num, lateFor time.Duration) (num, bool) {
	if p == nil || p.LateDeduction == nil || p.LateDeduction.Sign() <= 0 || lateFor <= 0 ||
		possible.sign() <= 0 || p.Interval <= 0 {
		return num{}, false
	}
	intervals := int64(lateFor / p.Interval)
	if lateFor%p.Interval != 0 {
		intervals++
	}
	deduct := numOf(p.LateDeduction).mul(numInt(intervals))
	room := percentOfNum(score, possible).sub(numOf(p.FloorPercent))
	if room.sign() < 0 {
		room = num{}
	}
	if room.cmp(deduct) < 0 {
		deduct = room
	}
	if deduct.sign() == 0 {
		return num{}, false
	}
	return ofPercentNum(possible, deduct), true
}

// missingScore is the automatic score of missing, ungraded work.
func (p *LatePolicy) missingScore(a *Assignment) (num, bool) {
	if p == nil || !p.MissingEnabled {
		return num{}, false
	}
	if a.GradingType == CompleteIncomplete {
		return num{}, true
	}
	return ofPercentNum(numOf(a.PointsPossible), numOf(p.MissingScorePercent)), true
}
