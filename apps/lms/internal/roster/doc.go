// Package roster owns reading roster uploads for the LMS admin import page:
// OneRoster 1.1 bulk CSV bundles (loose files or a zip) and the simple users CSV
// an admin writes by hand. It parses and validates only; it touches no database.
//
// Parsing never stops at the first mistake. Every bad row, value and reference
// becomes a [Problem] naming the file, line and column, so the admin can fix
// everything in one pass; the caller shows them in the dry-run preview and
// refuses to apply while any remain.
package roster
