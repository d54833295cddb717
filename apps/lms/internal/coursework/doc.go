// Package coursework owns course delivery: assignment groups, assignments
// (posted to one or more of a teacher's sections, with per-section and
// per-student due date overrides read in the school's time zone),
// attachments, submissions (every attempt kept) and grades, whose every
// change the database appends to grade_audit. Late and missing are derived
// from the effective due date (Status), unless the teacher overrides them.
// Grade calculation (totals, weights, drops) is not here: grading/calc.
package coursework
