// Package pgadmin owns what the operator does inside Postgres for a tenant:
// its roles, their attributes and memberships, the database, CONNECT and
// schema grants, default privileges, PgBouncer's lookup function, password
// changes and, on deletion, dropping all of it.
//
// Work is split in two: Inspect* functions read the catalogs into plain
// structs, and Plan* functions (pure, table-tested) turn desired and observed
// state into Changes, each one SQL statement with a sentence saying what it
// does. Apply runs Changes through a Session, whose Exec is the only way this
// package writes; wrapping a Connector therefore counts every SQL write.
//
// Every statement names only the tenant's own database and roles (see Names)
// and, to take back a privilege on one, a table in its database, quoted as
// identifiers. Passwords never travel as plaintext: they are sent
// as SCRAM-SHA-256 verifiers, so a server logging statements never records one.
package pgadmin
