package calc

import (
	"fmt"
	"math/big"
	"time"
)

// item is the calculation's view of one assigned assignment.
type item struct {
	a        *Assignment
	order    int
	group    int
	period   int
	state    ItemState
	score    *big.Rat // counts when state is Counted
	possible *big.Rat
	cantDrop bool
}

// Compute calculates one student's grades as viewer may see them: every
// item after excusal, posting, late and missing policies; every assignment
// group, grading period and the course, current and final; the override;
// and outcome mastery. It returns an error for inconsistent input (an
// assignment in an unknown group, a letter not in the scheme, work for an
// unknown assignment).
func Compute(c *Course, s *Student, viewer Viewer) (*Result, error) {
	groupIdx := make(map[string]int, len(c.Groups))
	for i, g := range c.Groups {
		groupIdx[g.ID] = i
	}
	work := make(map[string]*Work, len(s.Work))
	for i := range s.Work {
		work[s.Work[i].AssignmentID] = &s.Work[i]
	}
	neverDrop := map[string]bool{}
	for _, g := range c.Groups {
		for _, id := range g.NeverDrop {
			neverDrop[id] = true
		}
	}
	res := &Result{StudentID: s.ID, Viewer: viewer}
	items := make([]item, 0, len(s.Work))
	visible := make(map[string]bool, len(s.Work))
	seen := 0
	for i := range c.Assignments {
		a := &c.Assignments[i]
		g, ok := groupIdx[a.GroupID]
		if !ok {
			return nil, fmt.Errorf("calc: assignment %s is in unknown group %q", a.ID, a.GroupID)
		}
		w := work[a.ID]
		if w == nil {
			continue
		}
		seen++
		it, out, err := evaluate(c, a, w, viewer)
		if err != nil {
			return nil, err
		}
		it.order, it.group = i, g
		it.period = c.Periods.periodFor(w.DueAt)
		if it.period >= 0 {
			out.PeriodID = c.Periods.Periods[it.period].ID
		}
		it.cantDrop = it.cantDrop || neverDrop[a.ID]
		visible[a.ID] = !out.Hidden
		items = append(items, it)
		res.Items = append(res.Items, out)
	}
	if seen != len(work) {
		for id := range work {
			if !assignmentExists(c, id) {
				return nil, fmt.Errorf("calc: student %s has work for unknown assignment %q", s.ID, id)
			}
		}
	}

	all := func(*item) bool { return true }
	var courseGroups []groupCalc
	res.Groups, courseGroups = groupResults(c, items, all)

	if c.Periods != nil {
		var periodCurrent, periodFinal []*big.Rat
		for pi, p := range c.Periods.Periods {
			pr := PeriodResult{PeriodID: p.ID, Weight: amountOf(orZero(p.Weight)), Closed: !p.Close.IsZero() && c.Now.After(p.Close)}
			var gcs []groupCalc
			pr.Groups, gcs = groupResults(c, items, func(it *item) bool { return it.period == pi })
			cur, fin := combineGroups(c, gcs, false), combineGroups(c, gcs, true)
			pr.Current, pr.Final = c.grade(cur), c.grade(fin)
			periodCurrent, periodFinal = append(periodCurrent, cur), append(periodFinal, fin)
			res.Periods = append(res.Periods, pr)
		}
		if c.Periods.Weighted {
			res.Current = c.grade(combinePeriods(c.Periods, periodCurrent, false))
			res.Final = c.grade(combinePeriods(c.Periods, periodFinal, true))
		}
	}
	if c.Periods == nil || !c.Periods.Weighted {
		res.Current = c.grade(combineGroups(c, courseGroups, false))
		res.Final = c.grade(combineGroups(c, courseGroups, true))
	}

	if o := s.Override; o != nil && (viewer == Teacher || o.Posted) {
		pct := o.Percent
		if pct == nil {
			p, err := c.Scheme.PercentFor(o.Letter)
			if err != nil {
				return nil, err
			}
			pct = p
		}
		g := c.grade(pct)
		if o.Letter != "" && o.Percent == nil {
			g.Letter = o.Letter
		}
		res.Override = &g
	}

	m, err := mastery(c, s, visible)
	if err != nil {
		return nil, err
	}
	res.Mastery = m
	return res, nil
}

func assignmentExists(c *Course, id string) bool {
	for i := range c.Assignments {
		if c.Assignments[i].ID == id {
			return true
		}
	}
	return false
}

func (c *Course) grade(pct *big.Rat) Grade {
	if pct == nil {
		return Grade{}
	}
	return Grade{Percent: amountOf(pct), Letter: c.Scheme.LetterFor(pct)}
}

// evaluate applies excusal, posting, grading type, late and missing
// policies to one piece of work.
func evaluate(c *Course, a *Assignment, w *Work, viewer Viewer) (item, Item, error) {
	it := item{a: a, possible: orZero(a.PointsPossible)}
	out := Item{AssignmentID: a.ID, GroupID: a.GroupID, Possible: amountOf(it.possible)}
	if a.GradingType == NotGraded || a.OmitFromFinalGrade {
		it.state, out.State = Omitted, Omitted
		if a.GradingType == NotGraded {
			return it, out, nil
		}
	}
	posted := a.PostPolicy != PostManually || w.Posted
	if viewer != Teacher && !posted {
		// Nothing about an unposted grade may show: not its score, not
		// whether it is excused, late or missing.
		out.Hidden = true
		if it.state != Omitted {
			it.state, out.State, it.cantDrop = Ungraded, Ungraded, true
		}
		return it, out, nil
	}
	if w.Excused || w.Status == StatusExcused {
		if it.state != Omitted {
			it.state, out.State = Excused, Excused
		}
		return it, out, nil
	}

	entered, err := enteredScore(c, a, w)
	if err != nil {
		return it, out, err
	}
	out.Entered = amountOf(entered)

	var lateFor time.Duration
	switch w.Status {
	case StatusLate:
		out.Late = true
		if w.LateBy != nil {
			lateFor = *w.LateBy
		} else if w.Submitted && w.DueAt != nil {
			lateFor = w.SubmittedAt.Sub(*w.DueAt)
		}
	case StatusMissing:
		out.Missing = true
	case StatusNone:
	default:
		if w.Submitted && w.DueAt != nil && w.SubmittedAt.After(*w.DueAt) {
			out.Late = true
			lateFor = w.SubmittedAt.Sub(*w.DueAt)
		}
		if a.ExpectsSubmission && !w.Submitted && entered == nil && w.DueAt != nil && c.Now.After(*w.DueAt) {
			out.Missing = true
		}
	}

	score := entered
	switch {
	case entered == nil && out.Missing:
		if auto := c.Late.missingScore(a); auto != nil {
			score, out.AutoMissing = auto, true
		}
	case entered != nil && out.Late && (a.GradingType == Points || a.GradingType == Letter || a.GradingType == ""):
		if d := c.Late.lateDeduction(entered, it.possible, lateFor); d != nil {
			out.Deduction = amountOf(d)
			score = sub(entered, d)
		}
	}
	out.Score = amountOf(score)
	if it.state == Omitted {
		return it, out, nil
	}
	if score == nil {
		it.state, out.State = Ungraded, Ungraded
		return it, out, nil
	}
	it.state, out.State, it.score = Counted, Counted, score
	return it, out, nil
}

func enteredScore(c *Course, a *Assignment, w *Work) (*big.Rat, error) {
	switch a.GradingType {
	case CompleteIncomplete:
		if w.Complete == nil {
			return nil, nil
		}
		if *w.Complete {
			return new(big.Rat).Set(orZero(a.PointsPossible)), nil
		}
		return new(big.Rat), nil
	case Letter:
		if w.Letter == "" {
			return w.Score, nil
		}
		pct, err := c.Scheme.PercentFor(w.Letter)
		if err != nil {
			return nil, fmt.Errorf("assignment %s: %w", a.ID, err)
		}
		return ofPercent(orZero(a.PointsPossible), pct), nil
	default:
		return w.Score, nil
	}
}

// groupCalc is a group's totals for combining.
type groupCalc struct {
	weight         *big.Rat
	current, final totals
}

// groupResults computes every group over the items keep selects.
func groupResults(c *Course, items []item, keep func(*item) bool) ([]GroupResult, []groupCalc) {
	out := make([]GroupResult, len(c.Groups))
	calcs := make([]groupCalc, len(c.Groups))
	byGroup := make([][]*item, len(c.Groups))
	for i := range items {
		if keep(&items[i]) {
			byGroup[items[i].group] = append(byGroup[items[i].group], &items[i])
		}
	}
	for gi := range c.Groups {
		g := &c.Groups[gi]
		out[gi].GroupID = g.ID
		calcs[gi].weight = orZero(g.Weight)
		var cur, fin []entry
		for _, it := range byGroup[gi] {
			switch it.state {
			case Counted:
				e := entry{item: it.order, order: it.order, score: it.score, possible: it.possible, cantDrop: it.cantDrop}
				cur, fin = append(cur, e), append(fin, e)
			case Ungraded:
				fin = append(fin, entry{item: it.order, order: it.order, score: ratZero, possible: it.possible, cantDrop: it.cantDrop})
			}
		}
		out[gi].Current, calcs[gi].current = groupScore(c, g, cur)
		out[gi].Final, calcs[gi].final = groupScore(c, g, fin)
	}
	return out, calcs
}

func groupScore(c *Course, g *Group, entries []entry) (GroupScore, totals) {
	l, scaled := scale(entries)
	kept, drops := applyDrops(g, entries, scaled)
	t := totals{score: new(big.Rat), possible: new(big.Rat)}
	if scaled {
		var s, p int64
		for _, e := range kept {
			s, p = s+e.si, p+e.pi
		}
		t.score.SetFrac64(s, l)
		t.possible.SetFrac64(p, l)
	} else {
		for _, e := range kept {
			t.score.Add(t.score, e.score)
			t.possible.Add(t.possible, e.possible)
		}
	}
	gs := GroupScore{Score: amountOf(t.score), Possible: amountOf(t.possible)}
	if t.possible.Sign() > 0 {
		gs.Percent = amountOf(percentOf(t.score, t.possible))
	}
	for _, d := range drops {
		gs.Dropped = append(gs.Dropped, Drop{AssignmentID: c.Assignments[d.item].ID, Reason: d.reason})
	}
	return gs, t
}

// combineGroups is the course (or period) percentage from its groups.
func combineGroups(c *Course, gcs []groupCalc, final bool) *big.Rat {
	pick := func(g groupCalc) totals {
		if final {
			return g.final
		}
		return g.current
	}
	if c.Weighting == ByGroupPercent {
		grade, full := new(big.Rat), new(big.Rat)
		for _, g := range gcs {
			t := pick(g)
			if t.possible.Sign() <= 0 {
				continue
			}
			grade.Add(grade, mul(quo(t.score, t.possible), g.weight))
			full.Add(full, g.weight)
		}
		if full.Sign() == 0 {
			return nil
		}
		if full.Cmp(ratHundred) < 0 {
			return percentOf(grade, full)
		}
		return grade
	}
	score, possible := new(big.Rat), new(big.Rat)
	for _, g := range gcs {
		t := pick(g)
		score.Add(score, t.score)
		possible.Add(possible, t.possible)
	}
	if possible.Sign() <= 0 {
		return nil
	}
	return percentOf(score, possible)
}

// combinePeriods is the course percentage from weighted period grades, as
// Canvas computes it: current weighs only periods that have a current
// grade; final weighs every period, one without any grade counting as zero
// (an empty future period lowers the final grade). Either is scaled up when
// its weights add up to less than 100.
func combinePeriods(ps *PeriodSet, grades []*big.Rat, final bool) *big.Rat {
	grade, full := new(big.Rat), new(big.Rat)
	graded := false
	for i, p := range ps.Periods {
		w := orZero(p.Weight)
		if grades[i] == nil {
			if final {
				full.Add(full, w)
			}
			continue
		}
		graded = true
		full.Add(full, w)
		grade.Add(grade, ofPercent(grades[i], w))
	}
	if !graded || full.Sign() == 0 {
		return nil
	}
	if full.Cmp(ratHundred) < 0 {
		return percentOf(grade, full)
	}
	return grade
}
