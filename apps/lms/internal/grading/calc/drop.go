package calc

import (
	"cmp"
	"math/big"
	"slices"
	"sort"
)

// DropReason says why a drop rule removed a score.
type DropReason string

const (
	// DroppedLowest: removed by DropLowest; keeping it would lower the
	// group score more than keeping any other choice.
	DroppedLowest DropReason = "drop_lowest"
	// DroppedHighest: removed by DropHighest; keeping it would raise the
	// group score more than keeping any other choice.
	DroppedHighest DropReason = "drop_highest"
)

// entry is one counted score inside a group.
type entry struct {
	item     int // index into the student's items
	order    int // assignment order, for ties
	score    *big.Rat
	possible *big.Rat
	// cantDrop: NeverDrop, or hidden from this viewer.
	cantDrop bool
	// si, pi are score and possible × the group's common denominator,
	// set when scaled (see scale).
	si, pi int64
}

type dropped struct {
	item   int
	reason DropReason
}

// applyDrops returns the entries a group's drop rules keep and the ones they
// drop. It follows Canvas's rules for how many may be dropped and chooses,
// among all sets of that size, the one with the highest (drop lowest) and
// then lowest (drop highest) ratio of score to points possible, the
// never-drop entries included. The choice is exact: Dinkelbach's iteration
// on F(q) = max over kept sets of Σ(score − q·possible) with rationals, which
// reaches the optimum in finitely many steps, where Canvas bisects in
// floating point to a tolerance.
func applyDrops(g *Group, entries []entry, scaled bool) (kept []entry, out []dropped) {
	if g.DropLowest <= 0 && g.DropHighest <= 0 {
		return entries, nil
	}
	var cant, can []entry
	for _, e := range entries {
		if e.cantDrop {
			cant = append(cant, e)
		} else {
			can = append(can, e)
		}
	}
	if len(can) == 0 {
		return entries, nil
	}
	n := len(can)
	dropLowest, dropHighest := g.DropLowest, g.DropHighest
	if dropLowest < 0 {
		dropLowest = 0
	}
	if dropHighest < 0 {
		dropHighest = 0
	}
	if dropLowest >= n {
		dropLowest = n - 1
	}
	if dropLowest+dropHighest >= n {
		dropHighest = 0
	}
	keepHighest := n - dropLowest
	keepLowest := keepHighest - dropHighest

	anyPossible := false
	for _, e := range entries {
		if e.possible.Sign() > 0 {
			anyPossible = true
			break
		}
	}
	var afterLowest, afterHighest []entry
	if anyPossible {
		pick := keepBest
		if scaled {
			pick = keepBestScaled
		}
		afterLowest = pick(can, cant, keepHighest, true)
		afterHighest = pick(afterLowest, cant, keepLowest, false)
	} else {
		// Nothing possible anywhere: a ratio means nothing, so keep the
		// highest scores and then drop the highest of those.
		sorted := append([]entry(nil), can...)
		sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].score.Cmp(sorted[j].score) < 0 })
		afterLowest = sorted[len(sorted)-keepHighest:]
		afterHighest = afterLowest[:keepLowest]
	}
	inLowest := map[int]bool{}
	for _, e := range afterLowest {
		inLowest[e.item] = true
	}
	inKept := map[int]bool{}
	for _, e := range afterHighest {
		inKept[e.item] = true
	}
	for _, e := range entries {
		switch {
		case e.cantDrop || inKept[e.item]:
			kept = append(kept, e)
		case !inLowest[e.item]:
			out = append(out, dropped{e.item, DroppedLowest})
		default:
			out = append(out, dropped{e.item, DroppedHighest})
		}
	}
	return kept, out
}

// keepBest keeps `keep` of can: the set maximising (best) or minimising
// (!best) Σscore/Σpossible over the kept set plus cant.
func keepBest(can, cant []entry, keep int, best bool) []entry {
	if len(can) <= keep {
		return can
	}
	baseScore, basePossible := new(big.Rat), new(big.Rat)
	for _, e := range cant {
		baseScore.Add(baseScore, e.score)
		basePossible.Add(basePossible, e.possible)
	}
	type rated struct {
		e entry
		v *big.Rat
	}
	rs := make([]rated, len(can))
	// Start from the ratio of the set a floating-point run of the same
	// iteration chooses: it is almost always the optimum already, so the
	// exact iteration below usually only confirms it (F(q) = 0). Each exact
	// step moves q to the ratio of the set chosen at q, which only improves
	// until F(q) = 0, so the result never depends on the float run.
	q := floatStart(can, baseScore, basePossible, keep, best)
	vs := make([]big.Rat, len(can))
	var chosen []entry
	for range 4*len(can) + 8 {
		for i, e := range can {
			v := &vs[i]
			v.Mul(q, e.possible)
			v.Sub(e.score, v)
			rs[i] = rated{e, v}
		}
		sort.SliceStable(rs, func(i, j int) bool {
			c := rs[i].v.Cmp(rs[j].v)
			if c == 0 {
				return rs[i].e.order < rs[j].e.order
			}
			if best {
				return c > 0
			}
			return c < 0
		})
		chosen = chosen[:0]
		s, p := new(big.Rat).Set(baseScore), new(big.Rat).Set(basePossible)
		for _, r := range rs[:keep] {
			chosen = append(chosen, r.e)
			s.Add(s, r.e.score)
			p.Add(p, r.e.possible)
		}
		if p.Sign() == 0 {
			break
		}
		next := quo(s, p)
		if next.Cmp(q) == 0 {
			break
		}
		q = next
	}
	// Keep the kept entries in their original order.
	out := append([]entry(nil), chosen...)
	slices.SortStableFunc(out, func(a, b entry) int { return cmp.Compare(a.order, b.order) })
	return out
}

// floatStart runs the iteration in float64 and returns the exact ratio of
// the set it settles on (never-drop entries included), or the ratio of
// everything when that set has nothing possible.
func floatStart(can []entry, baseScore, basePossible *big.Rat, keep int, best bool) *big.Rat {
	type fe struct {
		i    int
		s, p float64
		v    float64
	}
	fs := make([]fe, len(can))
	bs, _ := baseScore.Float64()
	bp, _ := basePossible.Float64()
	ts, tp := bs, bp
	for i, e := range can {
		s, _ := e.score.Float64()
		p, _ := e.possible.Float64()
		fs[i] = fe{i: i, s: s, p: p}
		ts, tp = ts+s, tp+p
	}
	q := 0.0
	if tp > 0 {
		q = ts / tp
	}
	for range 2*len(can) + 4 {
		for i := range fs {
			fs[i].v = fs[i].s - q*fs[i].p
		}
		sort.SliceStable(fs, func(a, b int) bool {
			if fs[a].v == fs[b].v {
				return fs[a].i < fs[b].i
			}
			if best {
				return fs[a].v > fs[b].v
			}
			return fs[a].v < fs[b].v
		})
		s, p := bs, bp
		for _, f := range fs[:keep] {
			s, p = s+f.s, p+f.p
		}
		if p <= 0 {
			break
		}
		next := s / p
		if next == q {
			break
		}
		q = next
		// Restore input order so ties break the same way every round.
		sort.Slice(fs, func(a, b int) bool { return fs[a].i < fs[b].i })
	}
	s, p := new(big.Rat).Set(baseScore), new(big.Rat).Set(basePossible)
	for _, f := range fs[:keep] {
		s.Add(s, can[f.i].score)
		p.Add(p, can[f.i].possible)
	}
	if p.Sign() > 0 {
		return quo(s, p)
	}
	for _, e := range can {
		s.Add(s, e.score)
		p.Add(p, e.possible)
	}
	if p.Sign() > 0 {
		return quo(s, p)
	}
	return new(big.Rat)
}
