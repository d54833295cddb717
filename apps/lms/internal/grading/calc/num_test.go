package calc

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestNumMatchesBigRat checks every num operation against big.Rat on random
// operands, small ones and ones near the int64 limits (where the fast path
// must notice the overflow and fall back).
func TestNumMatchesBigRat(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 7))
	operand := func() *big.Rat {
		switch rng.IntN(4) {
		case 0: // a grade: hundredths
			return big.NewRat(rng.Int64N(200001)-100000, 100)
		case 1: // a small fraction
			return big.NewRat(rng.Int64N(2001)-1000, 1+rng.Int64N(1000))
		case 2: // near the limits
			n := math.MaxInt64 - rng.Int64N(1000)
			if rng.IntN(2) == 0 {
				n = -n
			}
			return big.NewRat(n, 1+rng.Int64N(3))
		default: // beyond int64
			x := new(big.Int).Lsh(big.NewInt(1+rng.Int64N(1000)), 70)
			return new(big.Rat).SetFrac(x, big.NewInt(1+rng.Int64N(7)))
		}
	}
	for i := range 20000 {
		a, b := operand(), operand()
		x, y := numOf(a), numOf(b)
		check := func(op string, got num, want *big.Rat) {
			t.Helper()
			if got.rat().Cmp(want) != 0 {
				t.Fatalf("case %d: %s %s %s = %s, want %s", i, a.RatString(), op, b.RatString(), got.rat().RatString(), want.RatString())
			}
			if got.hundredths() != roundHundredths(want) {
				t.Fatalf("case %d: hundredths of %s = %d, want %d", i, want.RatString(), got.hundredths(), roundHundredths(want))
			}
		}
		check("+", x.add(y), new(big.Rat).Add(a, b))
		check("-", x.sub(y), new(big.Rat).Sub(a, b))
		check("*", x.mul(y), new(big.Rat).Mul(a, b))
		if b.Sign() != 0 {
			check("/", x.quo(y), new(big.Rat).Quo(a, b))
		}
		if got, want := x.cmp(y), a.Cmp(b); got != want {
			t.Fatalf("case %d: cmp(%s, %s) = %d, want %d", i, a.RatString(), b.RatString(), got, want)
		}
		if x.sign() != a.Sign() {
			t.Fatalf("case %d: sign(%s) = %d", i, a.RatString(), x.sign())
		}
	}
}

// TestFastPathMatchesBigRat computes random courses (weighted and point
// groups, drop lowest and highest with never-drop work, grading periods,
// late and missing policies, letters, complete/incomplete, manual posting,
// excused work and overrides) with the int64 fast path and again with
// every value a big.Rat, for the teacher and the student view, and
// requires identical results, exact values included.
func TestFastPathMatchesBigRat(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 14))
	withDrops := 0
	for round := range 400 {
		c, students := randomCourse(rng)
		for si := range students {
			for _, v := range []Viewer{Teacher, StudentViewer} {
				fast, errFast := Compute(c, &students[si], v)
				bigOnly = true
				slow, errSlow := Compute(c, &students[si], v)
				bigOnly = false
				if (errFast == nil) != (errSlow == nil) {
					t.Fatalf("round %d: errors differ: %v / %v", round, errFast, errSlow)
				}
				if errFast != nil {
					continue
				}
				if f, s := dumpResult(fast), dumpResult(slow); f != s {
					t.Fatalf("round %d student %d (%s): fast path\n%s\nbig.Rat path\n%s", round, si, v, f, s)
				}
				// Work out of assignment order is matched by id instead,
				// with the same result.
				shuffled := students[si]
				shuffled.Work = append([]Work(nil), shuffled.Work...)
				rng.Shuffle(len(shuffled.Work), func(i, j int) { shuffled.Work[i], shuffled.Work[j] = shuffled.Work[j], shuffled.Work[i] })
				if r, err := Compute(c, &shuffled, v); err != nil || dumpResult(r) != dumpResult(fast) {
					t.Fatalf("round %d student %d (%s): shuffled work gave %v\n%s", round, si, v, err, dumpResult(r))
				}
				for _, g := range fast.Groups {
					if len(g.Current.Dropped) > 0 {
						withDrops++
						break
					}
				}
			}
		}
	}
	if withDrops < 500 {
		t.Fatalf("only %d results dropped anything: the drop search was hardly compared", withDrops)
	}
}

func randomCourse(rng *rand.Rand) (*Course, []Student) {
	dec := func(max int64, den int64) *big.Rat { return big.NewRat(rng.Int64N(max*den+1), den) }
	c := &Course{Weighting: ByPoints, Now: t0}
	if rng.IntN(2) == 0 {
		c.Weighting = ByGroupPercent
	}
	for g := range 1 + rng.IntN(4) {
		gr := Group{ID: fmt.Sprintf("g%d", g), Weight: dec(60, 4), DropLowest: rng.IntN(3), DropHighest: rng.IntN(2)}
		if rng.IntN(3) == 0 {
			gr.Weight = nil
		}
		c.Groups = append(c.Groups, gr)
	}
	if rng.IntN(2) == 0 {
		c.Scheme = letterScheme()
	}
	if rng.IntN(2) == 0 {
		c.Late = &LatePolicy{LateDeduction: dec(20, 2), Interval: 24 * time.Hour, FloorPercent: dec(60, 1),
			MissingEnabled: rng.IntN(2) == 0, MissingScorePercent: dec(100, 3)}
	}
	if rng.IntN(2) == 0 {
		c.Periods = &PeriodSet{Weighted: rng.IntN(2) == 0, Periods: []Period{
			{ID: "p1", Start: t0.AddDate(0, 0, -60), End: t0.AddDate(0, 0, -10), Weight: dec(60, 1)},
			{ID: "p2", Start: t0.AddDate(0, 0, -10), End: t0.AddDate(0, 0, 40), Weight: dec(60, 1)},
		}}
	}
	types := []GradingType{Points, Points, Points, CompleteIncomplete, Letter, NotGraded}
	dens := []int64{1, 1, 2, 4, 100, 3, 7}
	for i := range 3 + rng.IntN(14) {
		a := Assignment{ID: fmt.Sprintf("a%02d", i), GroupID: c.Groups[rng.IntN(len(c.Groups))].ID,
			PointsPossible: dec(30, dens[rng.IntN(len(dens))]), GradingType: types[rng.IntN(len(types))],
			OmitFromFinalGrade: rng.IntN(15) == 0, ExpectsSubmission: rng.IntN(2) == 0}
		if rng.IntN(10) == 0 {
			a.PointsPossible = nil
		}
		if a.GradingType == Letter && c.Scheme == nil {
			a.GradingType = Points
		}
		if rng.IntN(4) == 0 {
			a.PostPolicy = PostManually
		}
		if rng.IntN(5) == 0 {
			g := &c.Groups[rng.IntN(len(c.Groups))]
			g.NeverDrop = append(g.NeverDrop, a.ID)
		}
		c.Assignments = append(c.Assignments, a)
	}
	letters := []string{"A", "B", "C", "D", "F"}
	statuses := []Status{StatusAuto, StatusAuto, StatusAuto, StatusLate, StatusMissing, StatusNone, StatusExcused}
	students := make([]Student, 4)
	for s := range students {
		st := Student{ID: fmt.Sprintf("s%d", s)}
		for _, a := range c.Assignments {
			if rng.IntN(12) == 0 {
				continue // not assigned
			}
			due := t0.Add(time.Duration(rng.IntN(80)-50) * 24 * time.Hour)
			w := Work{AssignmentID: a.ID, DueAt: &due, Posted: rng.IntN(3) > 0, Status: statuses[rng.IntN(len(statuses))]}
			if rng.IntN(10) == 0 {
				w.DueAt = nil
			}
			if rng.IntN(3) > 0 {
				w.Submitted, w.SubmittedAt = true, due.Add(time.Duration(rng.IntN(120)-60)*time.Hour)
			}
			if w.Status == StatusLate && rng.IntN(2) == 0 {
				d := time.Duration(rng.IntN(100)) * time.Hour
				w.LateBy = &d
			}
			switch r := rng.IntN(8); {
			case r == 0: // ungraded
			case a.GradingType == CompleteIncomplete:
				done := r > 2
				w.Complete = &done
			case a.GradingType == Letter && r > 3:
				w.Letter = letters[rng.IntN(len(letters))]
			default:
				w.Score = dec(35, dens[rng.IntN(len(dens))])
			}
			w.Excused = rng.IntN(15) == 0
			st.Work = append(st.Work, w)
		}
		switch rng.IntN(6) {
		case 0:
			st.Override = &Override{Percent: dec(100, 3), Posted: rng.IntN(2) == 0}
		case 1:
			if c.Scheme != nil {
				st.Override = &Override{Letter: letters[rng.IntN(len(letters))], Posted: true}
			}
		}
		students[s] = st
	}
	return c, students
}

// dumpResult writes every value of r, exact amounts as fractions.
func dumpResult(r *Result) string {
	var b strings.Builder
	amt := func(a *Amount) string {
		if a == nil {
			return "nil"
		}
		return a.Exact().RatString() + "=" + a.String()
	}
	grade := func(g Grade) string { return amt(g.Percent) + " " + g.Letter }
	score := func(g GroupScore) string {
		return fmt.Sprintf("%s/%s %s %v", amt(g.Score), amt(g.Possible), amt(g.Percent), g.Dropped)
	}
	for _, it := range r.Items {
		fmt.Fprintf(&b, "item %s %s %s hidden=%v late=%v missing=%v auto=%v entered=%s ded=%s score=%s possible=%s\n",
			it.AssignmentID, it.PeriodID, it.State, it.Hidden, it.Late, it.Missing, it.AutoMissing, amt(it.Entered), amt(it.Deduction), amt(it.Score), amt(it.Possible))
	}
	groups := func(prefix string, gs []GroupResult) {
		for _, g := range gs {
			fmt.Fprintf(&b, "%sgroup %s current %s final %s\n", prefix, g.GroupID, score(g.Current), score(g.Final))
		}
	}
	groups("", r.Groups)
	for _, p := range r.Periods {
		fmt.Fprintf(&b, "period %s %s closed=%v current %s final %s\n", p.PeriodID, amt(p.Weight), p.Closed, grade(p.Current), grade(p.Final))
		groups("  ", p.Groups)
	}
	fmt.Fprintf(&b, "current %s final %s\n", grade(r.Current), grade(r.Final))
	if r.Override != nil {
		fmt.Fprintf(&b, "override %s\n", grade(*r.Override))
	}
	return b.String()
}
