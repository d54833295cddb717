package calc

import (
	"math/big"
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
func applyDrops(g *Group, entries []entry) (kept []entry, out []dropped) {
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
		afterLowest = keepBest(can, cant, keepHighest, true)
		afterHighest = keepBest(afterLowest, cant, keepLowest, false)
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
	// Start from the ratio of everything; each step moves q to the ratio of
	// the set chosen at q, which only improves until F(q) = 0.
	q := new(big.Rat)
	{
		s, p := new(big.Rat).Set(baseScore), new(big.Rat).Set(basePossible)
		for _, e := range can {
			s.Add(s, e.score)
			p.Add(p, e.possible)
		}
		if p.Sign() > 0 {
			q = quo(s, p)
		}
	}
	var chosen []entry
	for range 4*len(can) + 8 {
		for i, e := range can {
			rs[i] = rated{e, sub(e.score, mul(q, e.possible))}
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
	sort.SliceStable(out, func(i, j int) bool { return out[i].order < out[j].order })
	return out
}
