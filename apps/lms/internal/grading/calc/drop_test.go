package calc

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"
)

func tenths(scores ...string) ([]Assignment, []Work) {
	var as []Assignment
	var ws []Work
	for i, s := range scores {
		id := fmt.Sprintf("a%d", i+1)
		as = append(as, pts(id, "g", "10"))
		if s == "" {
			ws = append(ws, ungraded(id))
		} else {
			ws = append(ws, got(id, s))
		}
	}
	return as, ws
}

// TestDropRules covers drop lowest, drop highest and never drop: which
// scores are dropped (by their effect on the group's points, not their
// percentage), how many may be, and the interaction with ungraded,
// excused, extra-credit and weighted work.
func TestDropRules(t *testing.T) {
	four, fourWork := tenths("6", "9", "3", "8")
	three, threeWork := tenths("6", "9", "3")
	withUngraded, withUngradedWork := tenths("6", "9", "")
	ties, tiesWork := tenths("5", "5", "9")
	excusedWork := append([]Work(nil), threeWork...)
	excusedWork[2].Excused = true // the 3 is excused
	runCases(t, []calcCase{
		{name: "drop lowest keeps the best points, not the best percentages (Canvas's 50/65/24 example)",
			course:  pointsCourse([]Group{dropRule(grp("g"), 1, 0)}, pts("a1", "g", "50"), pts("a2", "g", "100"), pts("a3", "g", "24")),
			student: student(got("a1", "50"), got("a2", "65"), got("a3", "12")),
			want:    want{current: "83.78", dropped: map[string]string{"g": "cur[a2:drop_lowest] fin[a2:drop_lowest]"}}},
		{name: "drop lowest over exams of 15, 25 and 10 points",
			course:  pointsCourse([]Group{dropRule(grp("g"), 1, 0)}, pts("a1", "g", "15"), pts("a2", "g", "25"), pts("a3", "g", "10")),
			student: student(got("a1", "10"), got("a2", "15"), got("a3", "5")),
			want:    want{current: "62.50", dropped: map[string]string{"g": "cur[a3:drop_lowest] fin[a3:drop_lowest]"}}},
		{name: "drop lowest two of four",
			course: pointsCourse([]Group{dropRule(grp("g"), 2, 0)}, four...), student: student(fourWork...),
			want: want{current: "85.00", dropped: map[string]string{"g": "cur[a1:drop_lowest a3:drop_lowest] fin[a1:drop_lowest a3:drop_lowest]"}}},
		{name: "drop highest one of four",
			course: pointsCourse([]Group{dropRule(grp("g"), 0, 1)}, four...), student: student(fourWork...),
			want: want{current: "56.67", dropped: map[string]string{"g": "cur[a2:drop_highest] fin[a2:drop_highest]"}}},
		{name: "drop lowest and highest together keep the middle",
			course: pointsCourse([]Group{dropRule(grp("g"), 1, 1)}, four...), student: student(fourWork...),
			want: want{current: "70.00", dropped: map[string]string{"g": "cur[a2:drop_highest a3:drop_lowest] fin[a2:drop_highest a3:drop_lowest]"}}},
		{name: "drop highest removes what lowers the group most, not the top percentage",
			course:  pointsCourse([]Group{dropRule(grp("g"), 0, 1)}, pts("a1", "g", "2"), pts("a2", "g", "100"), pts("a3", "g", "10")),
			student: student(got("a1", "2"), got("a2", "90"), got("a3", "5")),
			want:    want{current: "58.33", dropped: map[string]string{"g": "cur[a2:drop_highest] fin[a2:drop_highest]"}}},
		{name: "never drop keeps an assignment even when it is lowest",
			course: pointsCourse([]Group{dropRule(grp("g"), 1, 0, "a3")}, three...), student: student(threeWork...),
			want: want{current: "60.00", dropped: map[string]string{"g": "cur[a1:drop_lowest] fin[a1:drop_lowest]"}}},
		{name: "a never-drop zero changes which score is best to drop",
			course:  pointsCourse([]Group{dropRule(grp("g"), 1, 0, "z")}, pts("z", "g", "100"), pts("x", "g", "1"), pts("y", "g", "100")),
			student: student(got("z", "0"), got("x", "1"), got("y", "60")),
			want:    want{current: "30.00", dropped: map[string]string{"g": "cur[x:drop_lowest] fin[x:drop_lowest]"}}},
		{name: "dropping more than there are keeps one",
			course: pointsCourse([]Group{dropRule(grp("g"), 5, 0)}, three...), student: student(threeWork...),
			want: want{current: "90.00", dropped: map[string]string{"g": "cur[a1:drop_lowest a3:drop_lowest] fin[a1:drop_lowest a3:drop_lowest]"}}},
		{name: "only never-drop work: nothing dropped",
			course: pointsCourse([]Group{dropRule(grp("g"), 1, 0, "a1", "a2", "a3")}, three...), student: student(threeWork...),
			want: want{current: "60.00", dropped: map[string]string{"g": "cur[] fin[]"}}},
		{name: "too few scores for both rules: drop highest is ignored",
			course: pointsCourse([]Group{dropRule(grp("g"), 1, 2)}, three...), student: student(threeWork...),
			want: want{current: "75.00", dropped: map[string]string{"g": "cur[a3:drop_lowest] fin[a3:drop_lowest]"}}},
		{name: "current drops among graded work, final drops the ungraded zero",
			course: pointsCourse([]Group{dropRule(grp("g"), 1, 0)}, withUngraded...), student: student(withUngradedWork...),
			want: want{current: "90.00", final: "75.00", dropped: map[string]string{"g": "cur[a1:drop_lowest] fin[a3:drop_lowest]"}}},
		{name: "a single graded score is never dropped (needs one more than the drop count)",
			course: pointsCourse([]Group{dropRule(grp("g"), 1, 0)}, withUngraded[:1]...), student: student(withUngradedWork[:1]...),
			want: want{current: "60.00", dropped: map[string]string{"g": "cur[] fin[]"}}},
		{name: "equal choices drop the later assignment",
			course: pointsCourse([]Group{dropRule(grp("g"), 1, 0)}, ties...), student: student(tiesWork...),
			want: want{current: "70.00", dropped: map[string]string{"g": "cur[a2:drop_lowest] fin[a2:drop_lowest]"}}},
		{name: "excused work is gone before dropping",
			course: pointsCourse([]Group{dropRule(grp("g"), 1, 0)}, three...), student: student(excusedWork...),
			want: want{current: "90.00", dropped: map[string]string{"g": "cur[a1:drop_lowest] fin[a1:drop_lowest]"}}},
		{name: "extra credit in a dropping group: dropping a pointed score can be best",
			course:  pointsCourse([]Group{dropRule(grp("g"), 1, 0)}, pts("ec", "g", "0"), pts("a2", "g", "10"), pts("a3", "g", "10")),
			student: student(got("ec", "5"), got("a2", "5"), got("a3", "8")),
			want:    want{current: "130.00", dropped: map[string]string{"g": "cur[a2:drop_lowest] fin[a2:drop_lowest]"}}},
		{name: "nothing possible anywhere: keep the highest scores",
			course:  pointsCourse([]Group{dropRule(grp("g"), 1, 0), grp("h")}, pts("a1", "g", "0"), pts("a2", "g", "0"), pts("a3", "g", "0"), pts("b", "h", "10")),
			student: student(got("a1", "1"), got("a2", "3"), got("a3", "2"), got("b", "5")),
			want:    want{current: "100.00", groups: map[string]string{"g": "-/-"}, dropped: map[string]string{"g": "cur[a1:drop_lowest] fin[a1:drop_lowest]"}}},
		{name: "drops stay inside their group under percent weighting",
			course: percentCourse([]Group{dropRule(grpW("g1", "50"), 1, 0), grpW("g2", "50")},
				pts("a1", "g1", "10"), pts("a2", "g1", "10"), pts("b1", "g2", "10")),
			student: student(got("a1", "4"), got("a2", "10"), got("b1", "5")),
			want:    want{current: "75.00", groups: map[string]string{"g1": "100.00/100.00", "g2": "50.00/50.00"}}},
	})
}

// TestDropsMatchExhaustiveSearch checks the exact drop choice against
// trying every subset, on random groups with differing points possible,
// zeros, extra credit and never-drop work.
func TestDropsMatchExhaustiveSearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 2026))
	compared := 0
	for round := range 3000 {
		n := 2 + rng.IntN(6)
		lowest, highest := rng.IntN(4), rng.IntN(3)
		var es []entry
		for i := range n {
			possible := big.NewRat(int64(rng.IntN(40)), 1)
			if rng.IntN(8) > 0 && possible.Sign() == 0 {
				possible.SetInt64(5)
			}
			score := big.NewRat(int64(rng.IntN(45)), int64(1+rng.IntN(2)))
			es = append(es, entry{item: i, order: i, score: numOf(score), possible: numOf(possible), cantDrop: rng.IntN(6) == 0})
		}
		g := &Group{DropLowest: lowest, DropHighest: highest}
		want := bruteForce(es, lowest, highest)
		_, scaled := scale(es)
		if !scaled {
			t.Fatalf("round %d: small values did not scale", round)
		}
		// The integer path, then the rational fallback on the same values.
		keptScaled, drops := applyDrops(g, es, true)
		keptRat, _ := applyDrops(g, es, false)
		if len(keptScaled)+len(drops) != n {
			t.Fatalf("round %d: kept %d + dropped %d != %d", round, len(keptScaled), len(drops), n)
		}
		if fmt.Sprint(items(keptScaled)) != fmt.Sprint(items(keptRat)) {
			t.Fatalf("round %d: integer path kept %v, rational path %v", round, items(keptScaled), items(keptRat))
		}
		if want == nil {
			continue // nothing possible in some subset: ratios undefined
		}
		if got := ratio(keptScaled); got == nil || got.Cmp(want) != 0 {
			t.Fatalf("round %d (%d entries, drop %d/%d): kept ratio %v, best achievable %v", round, n, lowest, highest, got, want)
		}
		compared++
	}
	if compared < 1500 {
		t.Fatalf("only %d of 3000 random groups had a defined best choice to compare", compared)
	}
}

func ratio(es []entry) *big.Rat {
	s, p := new(big.Rat), new(big.Rat)
	for _, e := range es {
		s.Add(s, e.score.bigOf())
		p.Add(p, e.possible.bigOf())
	}
	if p.Sign() == 0 {
		return nil
	}
	return quo(s, p)
}

// bruteForce is the ratio of Canvas's two-step rule found by enumeration:
// the best-ratio set of keepHighest droppable entries (never-drop included
// in the ratio), then the worst-ratio keepLowest subset of that. When the
// best set is not unique the second step may depend on which one was
// chosen, so only the drop-lowest-only case is compared in full; with both
// rules the kept ratio must equal the worst subset of some best set.
func bruteForce(es []entry, lowest, highest int) *big.Rat {
	var cant, can []entry
	for _, e := range es {
		if e.cantDrop {
			cant = append(cant, e)
		} else {
			can = append(can, e)
		}
	}
	n := len(can)
	if n == 0 {
		return ratio(es)
	}
	if lowest >= n {
		lowest = n - 1
	}
	if lowest+highest >= n {
		highest = 0
	}
	keepHigh := n - lowest
	keepLow := keepHigh - highest
	var bestSets [][]entry
	var best *big.Rat
	for _, set := range subsets(can, keepHigh) {
		r := ratio(append(append([]entry(nil), set...), cant...))
		if r == nil {
			return nil
		}
		switch c := cmpRat(r, best); {
		case best == nil || c > 0:
			best, bestSets = r, [][]entry{set}
		case c == 0:
			bestSets = append(bestSets, set)
		}
	}
	if keepLow == keepHigh {
		return best
	}
	// With ties in the first step, accept the worst subset of the first
	// best set in assignment order (the one applyDrops keeps on ties).
	var worst *big.Rat
	for _, set := range subsets(bestSets[0], keepLow) {
		r := ratio(append(append([]entry(nil), set...), cant...))
		if r == nil {
			return nil
		}
		if worst == nil || r.Cmp(worst) < 0 {
			worst = r
		}
	}
	if len(bestSets) > 1 {
		return nil // several best sets: the second step is tie-dependent
	}
	return worst
}

func cmpRat(a, b *big.Rat) int {
	if b == nil {
		return 1
	}
	return a.Cmp(b)
}

func subsets(es []entry, k int) [][]entry {
	var out [][]entry
	var rec func(start int, cur []entry)
	rec = func(start int, cur []entry) {
		if len(cur) == k {
			out = append(out, append([]entry(nil), cur...))
			return
		}
		for i := start; i < len(es); i++ {
			rec(i+1, append(cur, es[i]))
		}
	}
	rec(0, nil)
	return out
}

func items(es []entry) []int {
	var out []int
	for _, e := range es {
		out = append(out, e.item)
	}
	return out
}

// TestScaleFallsBackWhenValuesDoNotFit checks that values too large or with
// denominators too far apart for the integer path use rationals, and that
// grades come out the same either way.
func TestScaleFallsBackWhenValuesDoNotFit(t *testing.T) {
	huge := []entry{{score: numOf(Dec("1099511627776")), possible: numOf(Dec("2199023255552"))}}
	if _, ok := scale(huge); ok {
		t.Fatal("a 2^41 score was scaled to int64")
	}
	coprime := []entry{{score: numOf(Dec("1/1009")), possible: numOf(Dec("1"))}, {score: numOf(Dec("1/1013")), possible: numOf(Dec("1"))}, {score: numOf(Dec("1/1019")), possible: numOf(Dec("1"))}}
	if _, ok := scale(coprime); ok {
		t.Fatal("denominators with an lcm above 2^20 were scaled")
	}
	small := []entry{{score: numOf(Dec("7.25")), possible: numOf(Dec("10"))}, {score: numOf(Dec("1/3")), possible: numOf(Dec("1"))}}
	l, ok := scale(small)
	if !ok || l != 12 || small[0].si != 87 || small[0].pi != 120 || small[1].si != 4 {
		t.Fatalf("scale = %d %v, entries %+v", l, ok, small)
	}
	// The same course computed with values 2^40 times larger (rationals)
	// and as is (integers) gives the same percentages.
	mk := func(factor string) Course {
		c := pointsCourse([]Group{dropRule(grp("g"), 1, 0)}, pts("a1", "g", "10"), pts("a2", "g", "20"), pts("a3", "g", "5"))
		for i := range c.Assignments {
			c.Assignments[i].PointsPossible = mul(c.Assignments[i].PointsPossible, Dec(factor))
		}
		return c
	}
	work := func() Student {
		return student(got("a1", "7"), got("a2", "11"), got("a3", "4"))
	}
	scaleWork := func(s Student, factor string) Student {
		for i := range s.Work {
			s.Work[i].Score = mul(s.Work[i].Score, Dec(factor))
		}
		return s
	}
	cs, ss := mk("1"), work()
	cb, sb := mk("1099511627776"), scaleWork(work(), "1099511627776")
	rs, err := Compute(&cs, &ss, Teacher)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := Compute(&cb, &sb, Teacher)
	if err != nil {
		t.Fatal(err)
	}
	if rs.Current.Percent.String() != rb.Current.Percent.String() || dropString(rs.Groups[0]) != dropString(rb.Groups[0]) {
		t.Fatalf("small %s %s, large %s %s", rs.Current.Percent, dropString(rs.Groups[0]), rb.Current.Percent, dropString(rb.Groups[0]))
	}
	if rs.Current.Percent.String() != "73.33" {
		t.Fatalf("current = %s, want 73.33 (a2 dropped: 11 of 15)", rs.Current.Percent)
	}
}
