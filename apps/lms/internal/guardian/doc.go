// Package guardian owns the guardian portal's reading of a guardian's
// children: what each child has due and missing this week, their recent
// posted grades and teacher comments, and course grades computed from
// posted grades only. Everything here reads through the guardian's own
// scope, so row-level security (guardians see published work and posted
// grades of linked students) is the second wall behind these queries.
package guardian
