package pgadmin

import (
	"context"
	"fmt"
)

// CountSessions counts sessions on the tenant database by the given roles,
// other than the operator's own.
func CountSessions(ctx context.Context, s Session, db string, roles []string) (int, error) {
	var n int
	err := s.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
WHERE datname = $1 AND usename = ANY($2) AND pid <> pg_backend_pid()`, db, roles).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count sessions on database %s: %w", db, err)
	}
	return n, nil
}

// TerminateSessions ends every session on the tenant database.
func TerminateSessions(n Names) Change {
	return Change{
		SQL: fmt.Sprintf(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
WHERE datname = %s AND pid <> pg_backend_pid()`, quoteLiteral(n.Database)),
		What: fmt.Sprintf("Ended the remaining sessions on database %s", n.Database),
	}
}

// DropDatabase drops the tenant database, ending sessions that remain.
func DropDatabase(n Names) Change {
	return Change{
		SQL:  fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", ident(n.Database)),
		What: fmt.Sprintf("Dropped database %s", n.Database),
	}
}

// DropRoles drops the tenant's roles, members before their group.
func DropRoles(n Names) []Change {
	var out []Change
	roles := n.Roles()
	for i := len(roles) - 1; i >= 0; i-- {
		out = append(out, Change{
			SQL:  fmt.Sprintf("DROP ROLE IF EXISTS %s", ident(roles[i])),
			What: fmt.Sprintf("Dropped role %s", roles[i]),
		})
	}
	return out
}
