package calc

import (
	"fmt"
	"math/big"
	"sort"
	"time"
)

// MasteryMethod is how an outcome's results combine into a mastery score,
// with Canvas's calculation methods.
type MasteryMethod string

const (
	// DecayingAverage weights the latest result by CalculationInt percent
	// (65 when zero) and the average of all earlier results by the rest;
	// a single result is its own score. This is Canvas's
	// "decaying_average", which is mathematically a weighted average.
	DecayingAverage MasteryMethod = "decaying_average"
	// NMastery needs CalculationInt results at or above MasteryPoints;
	// the score is the average of those results. With fewer, there is no
	// score yet (not mastered).
	NMastery MasteryMethod = "n_mastery"
	// Latest is the most recent result.
	Latest MasteryMethod = "latest"
	// Highest is the best result.
	Highest MasteryMethod = "highest"
	// Average is the mean of all results.
	Average MasteryMethod = "average"
)

// Outcome is a standard measured in the course (through rubric criteria
// and assignments).
type Outcome struct {
	ID     string
	Method MasteryMethod
	// CalculationInt is the decaying-average weight (percent, 1–99) or the
	// n of n-mastery.
	CalculationInt int
	// MasteryPoints is the score at or above which a result shows mastery.
	MasteryPoints  *big.Rat
	PointsPossible *big.Rat
}

// OutcomeResult is one assessment of a student on an outcome.
type OutcomeResult struct {
	OutcomeID string
	// AssignmentID is the assignment the result came from; a student or
	// guardian sees it only when that assignment's grade is visible to
	// them. "" is a result from outside any assignment, always visible.
	AssignmentID string
	Score        *big.Rat
	AssessedAt   time.Time
}

// Mastery is one student's standing on one outcome.
type Mastery struct {
	OutcomeID string
	// Score is the calculated score in outcome points; nil when there is
	// none yet (no results, or too few for n-mastery).
	Score *Amount
	// Mastered: Score is at or above the outcome's mastery points.
	Mastered bool
	// Count is the number of results used.
	Count int
}

func mastery(c *Course, s *Student, visible map[string]bool) ([]Mastery, error) {
	if len(c.Outcomes) == 0 {
		return nil, nil
	}
	byOutcome := map[string][]OutcomeResult{}
	for _, r := range s.Results {
		if r.AssignmentID != "" && !visible[r.AssignmentID] {
			continue
		}
		if r.Score == nil {
			continue
		}
		byOutcome[r.OutcomeID] = append(byOutcome[r.OutcomeID], r)
	}
	out := make([]Mastery, 0, len(c.Outcomes))
	for _, o := range c.Outcomes {
		rs := byOutcome[o.ID]
		sort.SliceStable(rs, func(i, j int) bool { return rs[i].AssessedAt.Before(rs[j].AssessedAt) })
		score, used, err := masteryScore(&o, rs)
		if err != nil {
			return nil, err
		}
		m := Mastery{OutcomeID: o.ID, Count: used, Score: amountOf(score)}
		if score != nil && o.MasteryPoints != nil {
			// Compare what is shown, so a 2.995 shown as 3.00 is mastery of 3.
			m.Mastered = big.NewRat(roundHundredths(score), 100).Cmp(o.MasteryPoints) >= 0
		}
		out = append(out, m)
	}
	return out, nil
}

// masteryScore combines results ordered oldest first.
func masteryScore(o *Outcome, rs []OutcomeResult) (*big.Rat, int, error) {
	if len(rs) == 0 {
		return nil, 0, nil
	}
	mean := func(rs []OutcomeResult) *big.Rat {
		sum := new(big.Rat)
		for _, r := range rs {
			sum.Add(sum, r.Score)
		}
		return quo(sum, new(big.Rat).SetInt64(int64(len(rs))))
	}
	switch o.Method {
	case DecayingAverage, "":
		weight := o.CalculationInt
		if weight == 0 {
			weight = 65
		}
		if weight < 1 || weight > 99 {
			return nil, 0, fmt.Errorf("calc: outcome %s: decaying-average weight %d is outside 1-99", o.ID, weight)
		}
		latest := rs[len(rs)-1].Score
		if len(rs) == 1 {
			return new(big.Rat).Set(latest), 1, nil
		}
		w := big.NewRat(int64(weight), 100)
		older := mul(mean(rs[:len(rs)-1]), sub(big.NewRat(1, 1), w))
		return add(mul(latest, w), older), len(rs), nil
	case NMastery:
		if o.CalculationInt < 1 {
			return nil, 0, fmt.Errorf("calc: outcome %s: n-mastery needs n of at least 1", o.ID)
		}
		var met []OutcomeResult
		for _, r := range rs {
			if r.Score.Cmp(orZero(o.MasteryPoints)) >= 0 {
				met = append(met, r)
			}
		}
		if len(met) < o.CalculationInt {
			return nil, len(rs), nil
		}
		return mean(met), len(met), nil
	case Latest:
		return new(big.Rat).Set(rs[len(rs)-1].Score), 1, nil
	case Highest:
		best := rs[0].Score
		for _, r := range rs[1:] {
			if r.Score.Cmp(best) > 0 {
				best = r.Score
			}
		}
		return new(big.Rat).Set(best), len(rs), nil
	case Average:
		return mean(rs), len(rs), nil
	}
	return nil, 0, fmt.Errorf("calc: outcome %s: unknown calculation method %q", o.ID, o.Method)
}
