// Package outcomes owns standards-based grading's data: outcomes
// (standards) of the district or of one section, their attachment to
// assignments (assignments.outcome_ids; rubric criteria carry an outcomeId
// in the rubrics package), and reading the per-student results the database
// records when work is graded (bw_record_outcome_results, a trigger on
// grades). Mastery is computed by grading/calc, through the grading
// package; nothing here calculates it.
package outcomes
