package calc

import (
	"cmp"
	"math/bits"
	"slices"
)

// Most groups hold small decimal scores (whole points, halves, quarters),
// so the drop search and the group sums run on integers: every score and
// points possible times one common denominator L, still exact. Rationals
// are the fallback when the values do not fit comfortably (ratios of sums
// are compared as 128-bit cross products).

const (
	maxScaledBits = 40      // |score×L| < 2^40
	maxScaledLen  = 1 << 10 // sums of at most 2^10 values stay below 2^50
	maxScale      = 1 << 20
)

// scale fills si and pi of every entry with score×L and possible×L for the
// least common denominator L; ok is false when that does not fit.
func scale(es []entry) (l int64, ok bool) {
	if len(es) > maxScaledLen {
		return 0, false
	}
	l = 1
	for _, e := range es {
		for _, x := range [2]num{e.score, e.possible} {
			_, d, ok := x.parts()
			if !ok {
				return 0, false
			}
			l = lcm(l, d)
			if l > maxScale {
				return 0, false
			}
		}
	}
	for i := range es {
		var ok1, ok2 bool
		es[i].si, ok1 = scaledOf(es[i].score, l)
		es[i].pi, ok2 = scaledOf(es[i].possible, l)
		if !ok1 || !ok2 {
			return 0, false
		}
	}
	return l, true
}

func scaledOf(x num, l int64) (int64, bool) {
	n, d, ok := x.parts()
	if !ok {
		return 0, false
	}
	f := l / d
	if bits.Len64(abs64(n))+bits.Len64(uint64(f)) > maxScaledBits {
		return 0, false
	}
	return n * f, true
}

func abs64(n int64) uint64 {
	if n < 0 {
		return uint64(-n)
	}
	return uint64(n)
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func lcm(a, b int64) int64 { return a / gcd(a, b) * b }

// i128 is a signed 128-bit integer, enough for products of two sums.
type i128 struct {
	hi int64
	lo uint64
}

func mul128(a, b int64) i128 {
	neg := (a < 0) != (b < 0)
	hi, lo := bits.Mul64(abs64(a), abs64(b))
	x := i128{int64(hi), lo}
	if neg {
		x = neg128(x)
	}
	return x
}

func neg128(x i128) i128 {
	lo, carry := bits.Add64(^x.lo, 1, 0)
	return i128{^x.hi + int64(carry), lo}
}

func sub128(x, y i128) i128 {
	lo, borrow := bits.Sub64(x.lo, y.lo, 0)
	return i128{x.hi - y.hi - int64(borrow), lo}
}

func cmp128(x, y i128) int {
	switch {
	case x.hi < y.hi:
		return -1
	case x.hi > y.hi:
		return 1
	case x.lo < y.lo:
		return -1
	case x.lo > y.lo:
		return 1
	}
	return 0
}

// keepBestScaled is keepBest on scaled integers.
func keepBestScaled(can, cant []entry, keep int, best bool) []entry {
	if len(can) <= keep {
		return can
	}
	var bs, bp int64
	for _, e := range cant {
		bs, bp = bs+e.si, bp+e.pi
	}
	// q = n/d, starting from the ratio of everything.
	n, d := bs, bp
	for _, e := range can {
		n, d = n+e.si, d+e.pi
	}
	if d <= 0 {
		n, d = 0, 1
	}
	// Sort small records, not entries: the order is total (ties broken by
	// assignment order), so an unstable sort gives the same result.
	type rated struct {
		i     int32
		order int32
		v     i128
	}
	rs := make([]rated, len(can))
	for range 4*len(can) + 8 {
		for i, e := range can {
			// (score − q·possible)·d
			rs[i] = rated{int32(i), int32(e.order), sub128(mul128(e.si, d), mul128(n, e.pi))}
		}
		slices.SortFunc(rs, func(a, b rated) int {
			c := cmp128(a.v, b.v)
			if c == 0 {
				return cmp.Compare(a.order, b.order)
			}
			if best {
				return -c
			}
			return c
		})
		s, p := bs, bp
		for _, r := range rs[:keep] {
			s, p = s+can[r.i].si, p+can[r.i].pi
		}
		if p <= 0 {
			break
		}
		if cmp128(mul128(s, d), mul128(n, p)) == 0 {
			break
		}
		n, d = s, p
	}
	// The kept entries in their original order (can is in that order).
	keepIdx := make([]bool, len(can))
	for _, r := range rs[:keep] {
		keepIdx[r.i] = true
	}
	out := make([]entry, 0, keep)
	for i, k := range keepIdx {
		if k {
			out = append(out, can[i])
		}
	}
	return out
}
