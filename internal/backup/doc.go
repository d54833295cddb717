// Package backup owns Bellwork's logical per-tenant backups: pg_dump of a
// tenant database streamed to object storage (or a folder) with a SHA-256,
// a manifest written last so that only complete backups exist, restore
// verification into a throwaway database, and restore into a new one.
//
// It runs inside the `lms backup|verify|restore` subcommands, and imports
// nothing from the LMS, so the operator can read the same catalogue (the
// manifests and verification records in storage) to report status.
//
// Layout in storage, under an optional prefix:
//
//	<tenant>/<id>/dump.pgdump        pg_dump custom format (compressed)
//	<tenant>/<id>/manifest.json      written last: the backup exists only with it
//	<tenant>/<id>/verification.json  the latest verification of that backup
package backup
