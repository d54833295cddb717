package calc

import (
	"math/big"
	"time"
)

// PeriodSet is a course's grading periods.
type PeriodSet struct {
	Periods []Period
	// Weighted computes the course grade from the period grades weighted
	// by Period.Weight (scaled up when the weights that count add up to
	// less than 100). Unweighted, the course grade is computed from every
	// assignment as if there were no periods, and periods only get grades
	// of their own.
	Weighted bool
}

// Period is one grading period.
type Period struct {
	ID string
	// An assignment belongs to the period when Start < due date <= End
	// (Canvas's rule); work with no due date belongs to the last period
	// (the one that ends last). Work due outside every period belongs to
	// none and, with weighted periods, counts nowhere.
	Start, End time.Time
	// Close is when grades in the period are locked; it does not change
	// the calculation, Result reports it as PeriodResult.Closed.
	Close  time.Time
	Weight *big.Rat
}

// periodFor is the index of the period work due at due belongs to, or -1.
func (ps *PeriodSet) periodFor(due *time.Time) int {
	if ps == nil || len(ps.Periods) == 0 {
		return -1
	}
	if due == nil {
		last := 0
		for i, p := range ps.Periods {
			if p.End.After(ps.Periods[last].End) {
				last = i
			}
		}
		return last
	}
	for i, p := range ps.Periods {
		if p.Start.Before(*due) && !due.After(p.End) {
			return i
		}
	}
	return -1
}
