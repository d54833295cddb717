package calc

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
)

// Dec parses a decimal literal such as "9.5" or "87.125" into an exact
// rational. It panics on malformed input and is meant for constants and
// tests; use [ParseDec] for user input.
func Dec(s string) *big.Rat {
	r, err := ParseDec(s)
	if err != nil {
		panic(err)
	}
	return r
}

// ParseDec parses a decimal literal ("12", "9.75", "-1.5") or a fraction
// ("1/3") into an exact rational.
func ParseDec(s string) (*big.Rat, error) {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, fmt.Errorf("calc: %q is not a number", s)
	}
	return r, nil
}

// Amount is an exact calculated value (a percentage or a number of points)
// that is shown rounded half up to two decimals. The rounded value is
// computed once, when the amount is made: a gradebook shows every amount
// it computes.
type Amount struct {
	exact      num
	hundredths int64
}

func amountOf(r *big.Rat) *Amount {
	if r == nil {
		return nil
	}
	return amountOfNum(numOf(r))
}

func amountOfNum(x num) *Amount { return &Amount{exact: x, hundredths: x.hundredths()} }

// Exact returns a copy of the unrounded value.
func (a *Amount) Exact() *big.Rat { return a.exact.rat() }

// Hundredths is the value rounded half up (half away from zero) to two
// decimals, in hundredths: 87.125 gives 8713, 87.124 gives 8712.
func (a *Amount) Hundredths() int64 { return a.hundredths }

// String is the value with exactly two decimals, rounded half up: "87.13".
func (a *Amount) String() string {
	if a == nil {
		return "-"
	}
	var buf [24]byte
	return string(a.append(buf[:0]))
}

// append writes the value with two decimals to b.
func (a *Amount) append(b []byte) []byte {
	h := a.hundredths
	if h < 0 {
		b, h = append(b, '-'), -h
	}
	b = strconv.AppendInt(b, h/100, 10)
	b = append(b, '.', byte('0'+h%100/10), byte('0'+h%10))
	return b
}

// MarshalText writes the rounded value, so JSON carries "87.13".
func (a *Amount) MarshalText() ([]byte, error) { return a.append(make([]byte, 0, 24)), nil }

// roundHundredths is r × 100 rounded half away from zero. Numerators and
// denominators that fit in an int64 (every grade a gradebook stores) are
// divided as integers; larger ones as big integers, with the same result.
func roundHundredths(r *big.Rat) int64 {
	num, den := r.Num(), r.Denom()
	if num.IsInt64() && den.IsInt64() {
		n, d := num.Int64(), den.Int64()
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
	x := new(big.Int).Mul(new(big.Int).Abs(num), big.NewInt(100))
	q, m := x.QuoRem(x, den, new(big.Int))
	if m.Lsh(m, 1).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	v := q.Int64()
	if num.Sign() < 0 {
		v = -v
	}
	return v
}

var (
	ratZero    = new(big.Rat)
	ratHundred = big.NewRat(100, 1)
)

func orZero(r *big.Rat) *big.Rat {
	if r == nil {
		return ratZero
	}
	return r
}

func add(a, b *big.Rat) *big.Rat { return new(big.Rat).Add(a, b) }
func sub(a, b *big.Rat) *big.Rat { return new(big.Rat).Sub(a, b) }
func mul(a, b *big.Rat) *big.Rat { return new(big.Rat).Mul(a, b) }
func quo(a, b *big.Rat) *big.Rat { return new(big.Rat).Quo(a, b) }

// percentOf is part/whole × 100; whole must not be zero.
func percentOf(part, whole *big.Rat) *big.Rat { return mul(quo(part, whole), ratHundred) }

// ofPercent is whole × pct / 100.
func ofPercent(whole, pct *big.Rat) *big.Rat { return quo(mul(whole, pct), ratHundred) }
