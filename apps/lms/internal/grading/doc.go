// Package grading owns a section's grading settings (weighting, drop rules,
// late and missing policies, grading periods, scheme, posting policy) and
// final-grade overrides, and reads a section's grades: it loads the
// section's assignments, work and settings in a few queries and calls
// [calc.Compute] for each student. No grade is calculated anywhere else.
//
// [ForSection] and [ForStudent] are the read API the gradebook, the JSON
// API and the guardian portal use. The viewer follows the acting role:
// teachers and admins see every grade, students and guardians only posted
// ones (the database hides the rest too), a student only themselves and a
// guardian only their linked children.
package grading
