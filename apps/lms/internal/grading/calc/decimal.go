package calc

import (
	"fmt"
	"math/big"
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
// that is shown rounded half up to two decimals.
type Amount struct{ exact *big.Rat }

func amountOf(r *big.Rat) *Amount {
	if r == nil {
		return nil
	}
	return &Amount{exact: new(big.Rat).Set(r)}
}

// Exact returns a copy of the unrounded value.
func (a *Amount) Exact() *big.Rat { return new(big.Rat).Set(a.exact) }

// Hundredths is the value rounded half up (half away from zero) to two
// decimals, in hundredths: 87.125 gives 8713, 87.124 gives 8712.
func (a *Amount) Hundredths() int64 { return roundHundredths(a.exact) }

// String is the value with exactly two decimals, rounded half up: "87.13".
func (a *Amount) String() string {
	if a == nil {
		return "-"
	}
	h := a.Hundredths()
	sign := ""
	if h < 0 {
		sign, h = "-", -h
	}
	return fmt.Sprintf("%s%d.%02d", sign, h/100, h%100)
}

// MarshalText writes the rounded value, so JSON carries "87.13".
func (a *Amount) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

func roundHundredths(r *big.Rat) int64 {
	x := new(big.Rat).Mul(r, big.NewRat(100, 1))
	num := new(big.Int).Abs(x.Num())
	den := x.Denom()
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	if m.Lsh(m, 1).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	v := q.Int64()
	if x.Sign() < 0 {
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
