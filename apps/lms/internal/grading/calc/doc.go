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
// Every quantity is an exact rational: points, weights, percentages,
// deductions. Inputs and [Amount.Exact] are *big.Rat; inside, a value is two
// int64s (numerator and denominator) while they fit, with every operation
// checked for overflow and redone with *big.Rat when it would not fit, so
// the common case allocates nothing and the result is the same exact value
// (a test compares both paths on random courses). Nothing is rounded while
// calculating; a result is rounded once, half up
// (half away from zero) to two decimals, when it is read through
// [Amount.Hundredths] or [Amount.String]. Canvas rounds some intermediate
// values (grading-period scores are stored to two decimals before being
// weighted) and uses floating point elsewhere, so in rare cases a Canvas
// total can differ from Bellwork's by 0.01; Bellwork's is the exact one.
// Letters are looked up from the rounded percentage, so the letter always
// agrees with the number shown beside it. For speed, a group's scores are
// multiplied by their least common denominator and summed and compared as
// integers (128-bit cross products) when they fit; that is the same exact
// value, and rationals are the fallback.
//
// # Where Bellwork follows Canvas
//
// Drop rules choose the kept set with the best (drop lowest) or worst (drop
// highest) ratio of points, found exactly rather than by floating-point
// bisection; grading periods take work by Start < due <= End and undated
// work goes to the last period; weighted periods count an empty period as
// zero in the final grade; late deductions are per started interval with a
// floor; letter grades are worth the top of their band. Unposted grades are
// treated for students and guardians as not graded and are never dropped,
// as Canvas does when it ignores unposted assignments.
package calc
