// Package calc computes course grades from assignments, scores and policies.
// It is the one place grades are calculated: the gradebook grid, the JSON API,
// the student and guardian views and the recompute job all call [Compute]. It
// has no database and no web code; callers load the inputs and store or
// render the [Result].
//
// The rules follow what Canvas documents and its open-source calculator does
// (assignment groups, drop rules, grading periods, late and missing policies,
// posting, grading schemes, outcome mastery). Where Bellwork deliberately
// differs it says so on the rule.
//
// # Exact arithmetic
//
// Every quantity is a *big.Rat: points, weights, percentages, deductions.
// Nothing is rounded while calculating; a result is rounded once, half up
// (half away from zero) to two decimals, when it is read through
// [Amount.Hundredths] or [Amount.String]. Canvas rounds some intermediate
// values (grading-period scores are stored to two decimals before being
// weighted) and uses floating point elsewhere, so in rare cases a Canvas
// total can differ from Bellwork's by 0.01; Bellwork's is the exact one.
// Letters are looked up from the rounded percentage, so the letter always
// agrees with the number shown beside it.
package calc
