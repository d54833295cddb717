package calc

import (
	"cmp"
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
	score    num
	possible num
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
	cant, can := make([]entry, 0, len(entries)), make([]entry, 0, len(entries))
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
		if e.possible.sign() > 0 {
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
		sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].score.cmp(sorted[j].score) < 0 })
		afterLowest = sorted[len(sorted)-keepHighest:]
		afterHighest = afterLowest[:keepLowest]
	}
	// Where each entry ended up, by item (items are small indexes).
	const inLowest, inKept = 1, 2
	last := 0
	for _, e := range entries {
		last = max(last, e.item)
	}
	where := make([]uint8, last+1)
	for _, e := range afterLowest {
		where[e.item] |= inLowest
	}
	for _, e := range afterHighest {
		where[e.item] |= inKept
	}
	kept = make([]entry, 0, len(entries))
	for _, e := range entries {
		switch {
		case e.cantDrop || where[e.item]&inKept != 0:
			kept = append(kept, e)
		case where[e.item]&inLowest == 0:
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
	var baseScore, basePossible num
	for _, e := range cant {
		baseScore = baseScore.add(e.score)
		basePossible = basePossible.add(e.possible)
	}
	type rated struct {
		e entry
		v num
	}
	rs := make([]rated, len(can))
	// Start from the ratio of the set a floating-point run of the same
	// iteration chooses: it is almost always the optimum already, so the
	// exact iteration below usually only confirms it (F(q) = 0). Each exact
	// step moves q to the ratio of the set chosen at q, which only improves
	// until F(q) = 0, so the result never depends on the float run.
	q := floatStart(can, baseScore, basePossible, keep, best)
	var chosen []entry
	for range 4*len(can) + 8 {
		for i, e := range can {
			rs[i] = rated{e, e.score.sub(q.mul(e.possible))}
		}
		sort.SliceStable(rs, func(i, j int) bool {
			c := rs[i].v.cmp(rs[j].v)
			if c == 0 {
				return rs[i].e.order < rs[j].e.order
			}
			if best {
				return c > 0
			}
			return c < 0
		})
		chosen = chosen[:0]
		s, p := baseScore, basePossible
		for _, r := range rs[:keep] {
			chosen = append(chosen, r.e)
			s = s.add(r.e.score)
			p = p.add(r.e.possible)
		}
		if p.sign() == 0 {
			break
		}
		next := s.quo(p)
		if next.cmp(q) == 0 {
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
func floatStart(can []entry, baseScore, basePossible num, keep int, best bool) num {
	type fe struct {
		i    int
		s, p float64
		v    float64
	}
	fs := make([]fe, len(can))
	bs, bp := baseScore.float64(), basePossible.float64()
	ts, tp := bs, bp
	for i, e := range can {
		s, p := e.score.float64(), e.possible.float64()
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
	s, p := baseScore, basePossible
	for _, f := range fs[:keep] {
		s = s.add(can[f.i].score)
		p = p.add(can[f.i].possible)
	}
	if p.sign() > 0 {
		return s.quo(p)
	}
	for _, e := range can {
		s = s.add(e.score)
		p = p.add(e.possible)
	}
	if p.sign() > 0 {
		return s.quo(p)
	}
	return num{}
}
