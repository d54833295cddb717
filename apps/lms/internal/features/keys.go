package features

// Flags the LMS's code asks about. A FeatureFlag of the same name (see
// config/samples) decides who gets each; without one, each is off.
const (
	// RosterExport lets teachers download a section's roster as CSV from
	// the section page (GET /teach/sections/{id}/roster.csv).
	RosterExport = "roster-export"
)
