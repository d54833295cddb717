// Package schools owns the district's schools as the directory delivers
// them, and what the LMS reports back to the operator about them
// (operator_status: school sync state and onboarding milestones). Every function takes the
// acting db.Scope; SQL is plain pgx; not-found is domain.ErrNotFound.
package schools
