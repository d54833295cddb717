package pgadmin

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/jackc/pgx/v5"
)

// Names are a tenant database and its roles.
type Names struct {
	// Database is the tenant database.
	Database string
	// Owner owns the database and schema public; migrations run as it.
	Owner string
	// App is the NOLOGIN group holding the LMS's grants.
	App string
	// Blue and Green are the LMS's two LOGIN roles, members of App only; one
	// is active at a time so that a password rotation never leaves the LMS
	// without a working credential.
	Blue, Green string
	// System is the LMS's login for its own work (sign-in, imports, the job
	// queue, directory convergence): a member of App for its table
	// privileges, and the only login the LMS's row-level-security policies
	// treat as system (they check session_user's membership in it, by name).
	System string
	// Readonly may SELECT; the operator reads operator_status with it.
	Readonly string
	// Backup reads everything for pg_dump.
	Backup string
}

// maxIdentifier is Postgres's NAMEDATALEN-1.
const maxIdentifier = 63

var identRE = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// longestSuffix is the longest suffix NamesFor adds to a database name.
const longestSuffix = "_app_green"

// NamesFor derives the role names of database db, and refuses a name that is
// not a plain lower-case identifier or leaves no room for the role suffixes.
func NamesFor(db string) (Names, error) {
	if !identRE.MatchString(db) {
		return Names{}, fmt.Errorf("database name %q must be lower-case letters, digits and underscores, starting with a letter or underscore", db)
	}
	if len(db)+len(longestSuffix) > maxIdentifier {
		return Names{}, fmt.Errorf("database name %q is too long: at most %d characters leave room for the role %s%s", db, maxIdentifier-len(longestSuffix), db, longestSuffix)
	}
	switch db {
	case "postgres", "template0", "template1":
		return Names{}, fmt.Errorf("database name %q is reserved", db)
	}
	return Names{
		Database: db,
		Owner:    db + "_owner",
		App:      db + "_app",
		Blue:     db + "_app_blue",
		Green:    db + "_app_green",
		System:   db + "_system",
		Readonly: db + "_readonly",
		Backup:   db + "_backup",
	}, nil
}

// Roles lists every role of the tenant, the group before its members.
func (n Names) Roles() []string {
	return []string{n.Owner, n.App, n.Blue, n.Green, n.System, n.Readonly, n.Backup}
}

// AppLogins are the LMS's two logins for requests.
func (n Names) AppLogins() []string { return []string{n.Blue, n.Green} }

// LMSLogins are every login the LMS connects with: its app logins and its
// system login.
func (n Names) LMSLogins() []string { return []string{n.Blue, n.Green, n.System} }

// OtherAppLogin is the app login that is not login.
func (n Names) OtherAppLogin(login string) string {
	if login == n.Blue {
		return n.Green
	}
	return n.Blue
}

// IsRole says whether name is one of the tenant's roles.
func (n Names) IsRole(name string) bool {
	return slices.Contains(n.Roles(), name)
}

// ident quotes an identifier for SQL.
func ident(name string) string { return pgx.Identifier{name}.Sanitize() }
