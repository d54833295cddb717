package pgadmin

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// DatabaseState is the tenant database as pg_database shows it.
type DatabaseState struct {
	Exists bool
	Owner  string
	// Connect lists who holds CONNECT, "PUBLIC" for everyone.
	Connect []string
	// Temporary lists who may create temporary tables, "PUBLIC" for everyone.
	Temporary []string
}

// InspectDatabase reads pg_database (a shared catalog).
func InspectDatabase(ctx context.Context, s Session, db string) (DatabaseState, error) {
	var st DatabaseState
	err := s.QueryRow(ctx, `
SELECT pg_get_userbyid(d.datdba)::text,
       coalesce(array(SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee)::text END
                      FROM aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
                      WHERE a.privilege_type = 'CONNECT' ORDER BY 1), '{}'),
       coalesce(array(SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee)::text END
                      FROM aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
                      WHERE a.privilege_type = 'TEMPORARY' ORDER BY 1), '{}')
FROM pg_database d WHERE d.datname = $1`, db).Scan(&st.Owner, &st.Connect, &st.Temporary)
	if errors.Is(err, pgx.ErrNoRows) {
		return DatabaseState{}, nil
	}
	if err != nil {
		return DatabaseState{}, fmt.Errorf("read database %s: %w", db, err)
	}
	st.Exists = true
	return st, nil
}

// CreateDatabase is the change that creates the tenant database, owned by
// its owner role.
func CreateDatabase(n Names) Change {
	return Change{
		SQL:   fmt.Sprintf("CREATE DATABASE %s OWNER %s", ident(n.Database), ident(n.Owner)),
		What:  fmt.Sprintf("Created database %s", n.Database),
		Drift: fmt.Sprintf("database %s was missing; created it empty", n.Database),
	}
}

// PlanDatabase puts back the owner and CONNECT grants of an existing
// database: CONNECT for the tenant's app group, readonly and backup roles
// (and extra, e.g. PgBouncer's lookup role), the owner by ownership, and
// nobody else; TEMPORARY for the owner only. The LMS keeps each
// transaction's verified user context in a temporary table its owner's
// functions create; a role that could create temporary tables could put
// one of its own in the way. Nothing is planned for a database that does
// not exist.
func PlanDatabase(n Names, extra []string, st DatabaseState) []Change {
	if !st.Exists {
		return nil
	}
	var out []Change
	db := ident(n.Database)
	if st.Owner != n.Owner {
		out = append(out, Change{
			SQL:   fmt.Sprintf("ALTER DATABASE %s OWNER TO %s", db, ident(n.Owner)),
			What:  fmt.Sprintf("Gave database %s to %s", n.Database, n.Owner),
			Drift: fmt.Sprintf("database %s was owned by %s; given back to %s", n.Database, st.Owner, n.Owner),
		})
	}
	allowed := append([]string{n.Owner, n.App, n.Readonly, n.Backup}, extra...)
	publicRevoked := false
	for _, g := range st.Connect {
		if slices.Contains(allowed, g) {
			continue
		}
		if g == "PUBLIC" {
			publicRevoked = true
			out = append(out, Change{
				SQL:   fmt.Sprintf("REVOKE ALL ON DATABASE %s FROM PUBLIC", db),
				What:  fmt.Sprintf("Revoked CONNECT on database %s from PUBLIC", n.Database),
				Drift: fmt.Sprintf("PUBLIC had CONNECT on database %s; revoked", n.Database),
			})
			continue
		}
		out = append(out, Change{
			SQL:   fmt.Sprintf("REVOKE CONNECT ON DATABASE %s FROM %s", db, ident(g)),
			What:  fmt.Sprintf("Revoked CONNECT on database %s from %s", n.Database, g),
			Drift: fmt.Sprintf("%s had CONNECT on database %s; revoked", g, n.Database),
		})
	}
	var missing []string
	for _, g := range allowed {
		if !slices.Contains(st.Connect, g) {
			missing = append(missing, g)
		}
	}
	if len(missing) > 0 {
		quoted := make([]string, len(missing))
		for i, g := range missing {
			quoted[i] = ident(g)
		}
		out = append(out, Change{
			SQL:   fmt.Sprintf("GRANT CONNECT ON DATABASE %s TO %s", db, strings.Join(quoted, ", ")),
			What:  fmt.Sprintf("Granted CONNECT on database %s to %s", n.Database, strings.Join(missing, ", ")),
			Drift: fmt.Sprintf("%s lacked CONNECT on database %s; granted", strings.Join(missing, ", "), n.Database),
		})
	}
	for _, g := range st.Temporary {
		if g == n.Owner || (g == "PUBLIC" && publicRevoked) {
			continue
		}
		grantee := "PUBLIC"
		if g != "PUBLIC" {
			grantee = ident(g)
		}
		out = append(out, Change{
			SQL:   fmt.Sprintf("REVOKE TEMPORARY ON DATABASE %s FROM %s", db, grantee),
			What:  fmt.Sprintf("Revoked TEMPORARY on database %s from %s", n.Database, g),
			Drift: fmt.Sprintf("%s could create temporary tables in database %s; revoked", g, n.Database),
		})
	}
	if !slices.Contains(st.Temporary, n.Owner) {
		out = append(out, Change{
			SQL:   fmt.Sprintf("GRANT TEMPORARY ON DATABASE %s TO %s", db, ident(n.Owner)),
			What:  fmt.Sprintf("Granted TEMPORARY on database %s to %s", n.Database, n.Owner),
			Drift: fmt.Sprintf("%s could not create temporary tables in database %s; granted", n.Owner, n.Database),
		})
	}
	return out
}
