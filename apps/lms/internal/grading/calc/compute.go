package calc

import (
	"fmt"
	"time"
)

// item is the calculation's view of one assigned assignment.
type item struct {
	a        *Assignment
	order    int
	group    int
	period   int
	state    ItemState
	score    num // counts when state is Counted
	possible num
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
	// Work usually comes in assignment order (the gradebook builds it so):
	// then it is matched in one pass, otherwise through a map.
	var work map[string]*Work
	if !workInOrder(c, s) {
		work = make(map[string]*Work, len(s.Work))
		for i := range s.Work {
			work[s.Work[i].AssignmentID] = &s.Work[i]
		}
	}
	next := 0
	sl := &slab{}
	neverDrop := map[string]bool{}
	for _, g := range c.Groups {
		for _, id := range g.NeverDrop {
			neverDrop[id] = true
		}
	}
	res := &Result{StudentID: s.ID, Viewer: viewer, Items: make([]Item, 0, len(s.Work))}
	items := make([]item, 0, len(s.Work))
	var visible map[string]bool // for mastery only
	if len(c.Outcomes) > 0 {
		visible = make(map[string]bool, len(s.Work))
	}
	seen := 0
	for i := range c.Assignments {
		a := &c.Assignments[i]
		g, ok := groupIdx[a.GroupID]
		if !ok {
			return nil, fmt.Errorf("calc: assignment %s is in unknown group %q", a.ID, a.GroupID)
		}
		var w *Work
		switch {
		case work != nil:
			w = work[a.ID]
		case next < len(s.Work) && s.Work[next].AssignmentID == a.ID:
			w = &s.Work[next]
			next++
		}
		if w == nil {
			continue
		}
		seen++
		it, out, err := evaluate(c, a, w, viewer, sl)
		if err != nil {
			return nil, err
		}
		it.order, it.group = i, g
		it.period = c.Periods.periodFor(w.DueAt)
		if it.period >= 0 {
			out.PeriodID = c.Periods.Periods[it.period].ID
		}
		it.cantDrop = it.cantDrop || neverDrop[a.ID]
		if visible != nil {
			visible[a.ID] = !out.Hidden
		}
		items = append(items, it)
		res.Items = append(res.Items, out)
	}
	if work != nil && seen != len(work) {
		for id := range work {
			if !assignmentExists(c, id) {
				return nil, fmt.Errorf("calc: student %s has work for unknown assignment %q", s.ID, id)
			}
		}
	}

	all := func(*item) bool { return true }
	var courseGroups []groupCalc
	res.Groups, courseGroups = groupResults(c, items, all, sl)

	if c.Periods != nil {
		var periodCurrent, periodFinal []maybe
		for pi, p := range c.Periods.Periods {
			pr := PeriodResult{PeriodID: p.ID, Weight: amountOfNum(numOf(p.Weight)), Closed: !p.Close.IsZero() && c.Now.After(p.Close)}
			var gcs []groupCalc
			pr.Groups, gcs = groupResults(c, items, func(it *item) bool { return it.period == pi }, sl)
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
		var pct num
		if o.Percent != nil {
			pct = numOf(o.Percent)
		} else {
			p, err := c.Scheme.PercentFor(o.Letter)
			if err != nil {
				return nil, err
			}
			pct = numOf(p)
		}
		g := c.grade(maybe{pct, true})
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

// workInOrder reports whether s's work follows the course's assignment
// order, each assignment at most once.
func workInOrder(c *Course, s *Student) bool {
	j := 0
	for i := range s.Work {
		id := s.Work[i].AssignmentID
		for j < len(c.Assignments) && c.Assignments[j].ID != id {
			j++
		}
		if j == len(c.Assignments) {
			return false
		}
		j++
	}
	return true
}

// slab hands out a student's Amounts from a few shared arrays instead of
// one allocation each (a result has hundreds of them).
type slab struct{ buf []Amount }

func (s *slab) amount(x num) *Amount {
	if len(s.buf) == cap(s.buf) {
		s.buf = make([]Amount, 0, 128)
	}
	s.buf = append(s.buf, Amount{exact: x, hundredths: x.hundredths()})
	return &s.buf[len(s.buf)-1]
}

func assignmentExists(c *Course, id string) bool {
	for i := range c.Assignments {
		if c.Assignments[i].ID == id {
			return true
		}
	}
	return false
}

// maybe is a value that may be absent (nothing to grade).
type maybe struct {
	v  num
	ok bool
}

func (c *Course) grade(pct maybe) Grade {
	if !pct.ok {
		return Grade{}
	}
	a := amountOfNum(pct.v)
	return Grade{Percent: a, Letter: c.Scheme.letterForHundredths(a.hundredths)}
}

// evaluate applies excusal, posting, grading type, late and missing
// policies to one piece of work.
func evaluate(c *Course, a *Assignment, w *Work, viewer Viewer, sl *slab) (item, Item, error) {
	it := item{a: a, possible: numOf(a.PointsPossible)}
	out := Item{AssignmentID: a.ID, GroupID: a.GroupID, Possible: sl.amount(it.possible)}
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

	entered, graded, err := enteredScore(c, a, w)
	if err != nil {
		return it, out, err
	}
	if graded {
		out.Entered = sl.amount(entered)
	}

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
		if a.ExpectsSubmission && !w.Submitted && !graded && w.DueAt != nil && c.Now.After(*w.DueAt) {
			out.Missing = true
		}
	}

	score, scored := entered, graded
	switch {
	case !graded && out.Missing:
		if auto, ok := c.Late.missingScore(a); ok {
			score, scored, out.AutoMissing = auto, true, true
		}
	case graded && out.Late && (a.GradingType == Points || a.GradingType == Letter || a.GradingType == ""):
		if d, ok := c.Late.lateDeduction(entered, it.possible, lateFor); ok {
			out.Deduction = sl.amount(d)
			score = entered.sub(d)
		}
	}
	if scored {
		out.Score = sl.amount(score)
	}
	if it.state == Omitted {
		return it, out, nil
	}
	if !scored {
		it.state, out.State = Ungraded, Ungraded
		return it, out, nil
	}
	it.state, out.State, it.score = Counted, Counted, score
	return it, out, nil
}

// enteredScore is the score as graded; graded is false when there is none.
func enteredScore(c *Course, a *Assignment, w *Work) (score num, graded bool, err error) {
	switch a.GradingType {
	case CompleteIncomplete:
		if w.Complete == nil {
			return num{}, false, nil
		}
		if *w.Complete {
			return numOf(a.PointsPossible), true, nil
		}
		return num{}, true, nil
	case Letter:
		if w.Letter == "" {
			return numOf(w.Score), w.Score != nil, nil
		}
		pct, err := c.Scheme.PercentFor(w.Letter)
		if err != nil {
			return num{}, false, fmt.Errorf("assignment %s: %w", a.ID, err)
		}
		return ofPercentNum(numOf(a.PointsPossible), numOf(pct)), true, nil
	default:
		return numOf(w.Score), w.Score != nil, nil
	}
}

// groupCalc is a group's totals for combining.
type groupCalc struct {
	weight         num
	current, final totals
}

// groupResults computes every group over the items keep selects.
func groupResults(c *Course, items []item, keep func(*item) bool, sl *slab) ([]GroupResult, []groupCalc) {
	out := make([]GroupResult, len(c.Groups))
	calcs := make([]groupCalc, len(c.Groups))
	// One backing array each for every group's current and final entries:
	// together they hold at most every item once.
	curBuf, finBuf := make([]entry, 0, len(items)), make([]entry, 0, len(items))
	for gi := range c.Groups {
		g := &c.Groups[gi]
		out[gi].GroupID = g.ID
		calcs[gi].weight = numOf(g.Weight)
		c0, f0 := len(curBuf), len(finBuf)
		for i := range items {
			it := &items[i]
			if it.group != gi || !keep(it) {
				continue
			}
			switch it.state {
			case Counted:
				e := entry{item: it.order, order: it.order, score: it.score, possible: it.possible, cantDrop: it.cantDrop}
				curBuf, finBuf = append(curBuf, e), append(finBuf, e)
			case Ungraded:
				finBuf = append(finBuf, entry{item: it.order, order: it.order, possible: it.possible, cantDrop: it.cantDrop})
			}
		}
		cur, fin := curBuf[c0:len(curBuf):len(curBuf)], finBuf[f0:len(finBuf):len(finBuf)]
		out[gi].Current, calcs[gi].current = groupScore(c, g, cur, sl)
		out[gi].Final, calcs[gi].final = groupScore(c, g, fin, sl)
	}
	return out, calcs
}

func groupScore(c *Course, g *Group, entries []entry, sl *slab) (GroupScore, totals) {
	l, scaled := scale(entries)
	kept, drops := applyDrops(g, entries, scaled)
	var t totals
	if scaled {
		var s, p int64
		for _, e := range kept {
			s, p = s+e.si, p+e.pi
		}
		t.score, _ = reduce(s, l)
		t.possible, _ = reduce(p, l)
	} else {
		for _, e := range kept {
			t.score = t.score.add(e.score)
			t.possible = t.possible.add(e.possible)
		}
	}
	gs := GroupScore{Score: sl.amount(t.score), Possible: sl.amount(t.possible)}
	if t.possible.sign() > 0 {
		gs.Percent = sl.amount(percentOfNum(t.score, t.possible))
	}
	for _, d := range drops {
		gs.Dropped = append(gs.Dropped, Drop{AssignmentID: c.Assignments[d.item].ID, Reason: d.reason})
	}
	return gs, t
}

// combineGroups is the course (or period) percentage from its groups.
func combineGroups(c *Course, gcs []groupCalc, final bool) maybe {
	pick := func(g groupCalc) totals {
		if final {
			return g.final
		}
		return g.current
	}
	if c.Weighting == ByGroupPercent {
		var grade, full num
		for _, g := range gcs {
			t := pick(g)
			if t.possible.sign() <= 0 {
				continue
			}
			grade = grade.add(t.score.quo(t.possible).mul(g.weight))
			full = full.add(g.weight)
		}
		if full.sign() == 0 {
			return maybe{}
		}
		if full.cmp(numHundred) < 0 {
			return maybe{percentOfNum(grade, full), true}
		}
		return maybe{grade, true}
	}
	var score, possible num
	for _, g := range gcs {
		t := pick(g)
		score = score.add(t.score)
		possible = possible.add(t.possible)
	}
	if possible.sign() <= 0 {
		return maybe{}
	}
	return maybe{percentOfNum(score, possible), true}
}

// combinePeriods is the course percentage from weighted period grades, as
// Canvas computes it: current weighs only periods that have a current
// grade; final weighs every period, one without any grade counting as zero
// (an empty future period lowers the final grade). Either is scaled up when
// its weights add up to less than 100.
func combinePeriods(ps *PeriodSet, grades []maybe, final bool) maybe {
	var grade, full num
	graded := false
	for i, p := range ps.Periods {
		w := numOf(p.Weight)
		if !grades[i].ok {
			if final {
				full = full.add(w)
			}
			continue
		}
		graded = true
		full = full.add(w)
		grade = grade.add(ofPercentNum(grades[i].v, w))
	}
	if !graded || full.sign() == 0 {
		return maybe{}
	}
	if full.cmp(numHundred) < 0 {
		return maybe{percentOfNum(grade, full), true}
	}
	return maybe{grade, true}
}
