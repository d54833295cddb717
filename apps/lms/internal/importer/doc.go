// Package importer owns turning parsed rosters (OneRoster 1.1 bundles and the
// simple users CSV, see package roster) into changes to a tenant database:
// a dry-run [Plan] for the preview page, and Apply, which re-plans inside the
// caller's transaction and writes the whole plan or nothing. The formats are
// listed once ([Formats]: name, detection, parse, plan); the upload handler
// and the import job both pick one there. Both planners start from the same
// base (planBase: actor, schools, a school admin's scope, shared people),
// plan user updates, memberships and guardian links with its shared steps
// (users.go), and apply the same way (applyPlan).
//
// Planning loads the rows an import can touch with one query per table,
// matches them to the upload in memory (by sourcedId, then e-mail), and
// compares field by field, so importing the same upload twice changes
// nothing. Writing batches many rows per statement (INSERT … SELECT FROM
// unnest) and many statements per round trip.
//
// The scope's actor is the admin running the import. Schools are never
// created or edited here: they come from the operator's directory. A school
// admin may import only their own school's roster; rows for other schools
// are Problems, checked here as well as by row-level security.
package importer
