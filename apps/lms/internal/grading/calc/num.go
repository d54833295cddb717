package calc

import (
	"math"
	"math/big"
	"math/bits"
)

// num is an exact rational, the type every calculation runs on. Grades are
// small decimals (scores and weights to two places, percentages of them),
// so almost every value is a fraction whose numerator and denominator fit
// in an int64: those are kept as two int64s (reduced, positive
// denominator) and added, multiplied and compared as integers, with every
// product and sum checked for overflow. A value that does not fit is kept
// as a *big.Rat, and an operation whose result would overflow is redone
// with big.Rat; either way the value is the same exact rational, so the
// fast path changes speed, never a result. The zero num is 0.
type num struct {
	n, d int64    // the value n/d when b is nil; d == 0 means 0
	b    *big.Rat // the value, when it does not fit in n/d
}

// bigOnly makes every num a *big.Rat (tests compare the two paths).
var bigOnly = false

func small(n, d int64) num { return num{n: n, d: d} }

func numInt(n int64) num { return num{n: n, d: 1} }

var numHundred = numInt(100)

// numOf is r as a num; nil is zero.
func numOf(r *big.Rat) num {
	if r == nil {
		return num{}
	}
	if !bigOnly {
		n, d := r.Num(), r.Denom()
		if n.IsInt64() && d.IsInt64() {
			return num{n: n.Int64(), d: d.Int64()}
		}
	}
	return num{b: new(big.Rat).Set(r)}
}

// fromBig keeps r (owned by the caller) as a num, small when it fits.
func fromBig(r *big.Rat) num {
	if !bigOnly {
		n, d := r.Num(), r.Denom()
		if n.IsInt64() && d.IsInt64() {
			return num{n: n.Int64(), d: d.Int64()}
		}
	}
	return num{b: r}
}

// parts is x as n/d (d > 0) when it is small.
func (x num) parts() (n, d int64, ok bool) {
	if x.b != nil || bigOnly {
		return 0, 0, false
	}
	if x.d == 0 {
		return 0, 1, true
	}
	return x.n, x.d, true
}

// rat is x as a new *big.Rat.
func (x num) rat() *big.Rat {
	if x.b != nil {
		return new(big.Rat).Set(x.b)
	}
	if x.d == 0 {
		return new(big.Rat)
	}
	return new(big.Rat).SetFrac64(x.n, x.d)
}

// bigOf is x as a *big.Rat the caller must not change.
func (x num) bigOf() *big.Rat {
	if x.b != nil {
		return x.b
	}
	return x.rat()
}

func (x num) sign() int {
	if x.b != nil {
		return x.b.Sign()
	}
	switch {
	case x.n > 0:
		return 1
	case x.n < 0:
		return -1
	}
	return 0
}

func (x num) isZero() bool { return x.sign() == 0 }

func (x num) cmp(y num) int {
	xn, xd, ok1 := x.parts()
	yn, yd, ok2 := y.parts()
	if ok1 && ok2 {
		return cmp128(mul128(xn, yd), mul128(yn, xd))
	}
	return x.bigOf().Cmp(y.bigOf())
}

func (x num) float64() float64 {
	if n, d, ok := x.parts(); ok {
		if n > -1<<53 && n < 1<<53 && d < 1<<53 {
			return float64(n) / float64(d)
		}
	}
	f, _ := x.bigOf().Float64()
	return f
}

// reduce is n/d in lowest terms, d > 0 (d != 0).
func reduce(n, d int64) (num, bool) {
	if d < 0 {
		if n == math.MinInt64 || d == math.MinInt64 {
			return num{}, false
		}
		n, d = -n, -d
	}
	if n == 0 {
		return small(0, 1), true
	}
	if g := int64(gcdU(abs64(n), uint64(d))); g > 1 {
		n, d = n/g, d/g
	}
	return small(n, d), true
}

func gcdU(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// mulOK is a×b when it fits in an int64.
func mulOK(a, b int64) (int64, bool) {
	hi, lo := bits.Mul64(abs64(a), abs64(b))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	if (a < 0) != (b < 0) {
		return -int64(lo), true
	}
	return int64(lo), true
}

// addOK is a+b when it fits in an int64.
func addOK(a, b int64) (int64, bool) {
	s := a + b
	if (a >= 0) == (b >= 0) && (s >= 0) != (a >= 0) {
		return 0, false
	}
	return s, true
}

func (x num) add(y num) num {
	if xn, xd, ok := x.parts(); ok {
		if yn, yd, ok := y.parts(); ok {
			if xd == yd {
				if n, ok := addOK(xn, yn); ok {
					if r, ok := reduce(n, xd); ok {
						return r
					}
				}
			} else {
				g := int64(gcdU(uint64(xd), uint64(yd)))
				a, ok1 := mulOK(xn, yd/g)
				b, ok2 := mulOK(yn, xd/g)
				d, ok3 := mulOK(xd/g, yd)
				if ok1 && ok2 && ok3 {
					if n, ok := addOK(a, b); ok {
						if r, ok := reduce(n, d); ok {
							return r
						}
					}
				}
			}
		}
	}
	return fromBig(new(big.Rat).Add(x.bigOf(), y.bigOf()))
}

func (x num) neg() num {
	if x.b == nil && x.n != math.MinInt64 {
		return num{n: -x.n, d: x.d}
	}
	return fromBig(new(big.Rat).Neg(x.bigOf()))
}

func (x num) sub(y num) num { return x.add(y.neg()) }

func (x num) mul(y num) num {
	if xn, xd, ok := x.parts(); ok {
		if yn, yd, ok := y.parts(); ok {
			if xn == 0 || yn == 0 {
				return small(0, 1)
			}
			g1 := int64(gcdU(abs64(xn), uint64(yd)))
			g2 := int64(gcdU(abs64(yn), uint64(xd)))
			n, ok1 := mulOK(xn/g1, yn/g2)
			d, ok2 := mulOK(xd/g2, yd/g1)
			if ok1 && ok2 {
				return small(n, d)
			}
		}
	}
	return fromBig(new(big.Rat).Mul(x.bigOf(), y.bigOf()))
}

// quo is x/y; y must not be zero.
func (x num) quo(y num) num {
	if yn, yd, ok := y.parts(); ok && yn != math.MinInt64 {
		if yn == 0 {
			panic("calc: division by zero")
		}
		if yn < 0 {
			return x.mul(small(-yd, -yn))
		}
		return x.mul(small(yd, yn))
	}
	return fromBig(new(big.Rat).Quo(x.bigOf(), y.bigOf()))
}

// percentOfNum is part/whole × 100; whole must not be zero.
func percentOfNum(part, whole num) num { return part.quo(whole).mul(numHundred) }

// ofPercentNum is whole × pct / 100.
func ofPercentNum(whole, pct num) num { return whole.mul(pct).quo(numHundred) }

// hundredths is x × 100 rounded half away from zero.
func (x num) hundredths() int64 {
	if n, d, ok := x.parts(); ok {
		if n > -math.MaxInt64/100 && n < math.MaxInt64/100 {
			neg := n < 0
			if neg {
				n = -n
			}
			q, m := n*100/d, n*100%d
			if m >= d-m {
				q++
			}
			if neg {
				q = -q
			}
			return q
		}
	}
	return roundHundredths(x.bigOf())
}
