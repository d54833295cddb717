package calc

import (
	"math/big"
	"testing"
)

// Rounding to hundredths is half away from zero, and the integer path
// (numerator and denominator within an int64) agrees with the big one.
func TestRoundHundredths(t *testing.T) {
	huge, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	for _, tc := range []struct {
		in   *big.Rat
		want int64
	}{
		{Dec("87.125"), 8713},
		{Dec("87.124"), 8712},
		{Dec("-87.125"), -8713},
		{Dec("-87.124"), -8712},
		{Dec("0"), 0},
		{Dec("0.005"), 1},
		{Dec("-0.005"), -1},
		{Dec("0.0049999"), 0},
		{big.NewRat(2, 3), 67},
		{big.NewRat(1, 3), 33},
		{big.NewRat(-2, 3), -67},
		{new(big.Rat).SetFrac(huge, new(big.Int).Mul(huge, big.NewInt(8))), 13}, // 1/8 = 0.125
		{new(big.Rat).SetFrac(new(big.Int).Neg(huge), new(big.Int).Mul(huge, big.NewInt(8))), -13},
		{big.NewRat(92233720368547758, 1000), 9223372036854776}, // past the int64 fast path's numerator bound
	} {
		if got := roundHundredths(tc.in); got != tc.want {
			t.Errorf("roundHundredths(%s) = %d, want %d", tc.in.RatString(), got, tc.want)
		}
		if got := amountOf(tc.in).Hundredths(); got != tc.want {
			t.Errorf("amountOf(%s).Hundredths() = %d, want %d", tc.in.RatString(), got, tc.want)
		}
	}
	for in, want := range map[string]string{"87.125": "87.13", "-0.5": "-0.50", "0": "0.00", "100": "100.00", "-12.345": "-12.35", "0.07": "0.07"} {
		if got := amountOf(Dec(in)).String(); got != want {
			t.Errorf("%s: String() = %q, want %q", in, got, want)
		}
	}
}
