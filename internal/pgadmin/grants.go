package pgadmin

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// GrantState is what the operator checks inside the tenant database, read
// through a connection to it.
type GrantState struct {
	// SchemaOwner owns schema public.
	SchemaOwner string
	// PublicCreate is true when PUBLIC may create in schema public (the
	// default before Postgres 15).
	PublicCreate bool
	// Usage lists the roles with USAGE on schema public.
	Usage []string
	// DefaultPrivileges are the owner's default privileges in schema public,
	// as "<type>:<grantee>:<privilege>" with type r (tables) or S (sequences).
	DefaultPrivileges []string
	// UngrantedTables counts tables in schema public lacking a grant the
	// app, readonly or backup role should have.
	UngrantedTables int
	// OverGranted lists the privileges on tables in schema public granted
	// beyond what each role should have (app: DML only; readonly and backup:
	// SELECT only; PUBLIC: nothing), one entry per table and grantee. A
	// table the app role owns appears with the owner's privileges beyond
	// DML. Privileges held through a membership are not listed: PlanRoles
	// revokes the membership.
	OverGranted []TableGrant
	// SchemaCreate lists the app, readonly and backup roles that may create
	// in schema public (only the owner should).
	SchemaCreate []string
	// AppOwns counts relations, functions and schemas in the database owned
	// by the app group or its logins, which must own nothing.
	AppOwns int
	// Pooler is PgBouncer's lookup function, read only when asked for.
	Pooler PoolerFunctionState
}

// InspectGrants reads schema public's owner and grants, the owner's default
// privileges and the grants on existing tables.
func InspectGrants(ctx context.Context, s Session, n Names) (GrantState, error) {
	var st GrantState
	err := s.QueryRow(ctx, `
SELECT pg_get_userbyid(ns.nspowner)::text,
       EXISTS (SELECT 1 FROM aclexplode(coalesce(ns.nspacl, acldefault('n', ns.nspowner))) a
               WHERE a.grantee = 0 AND a.privilege_type = 'CREATE'),
       coalesce(array(SELECT r FROM unnest($1::text[]) r
                      WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r)
                        AND has_schema_privilege(r, ns.oid, 'USAGE') ORDER BY 1), '{}'),
       coalesce(array(SELECT d.defaclobjtype::text || ':' || pg_get_userbyid(a.grantee)::text || ':' || a.privilege_type
                      FROM pg_default_acl d, aclexplode(d.defaclacl) a
                      WHERE d.defaclnamespace = ns.oid
                        AND d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = $2)
                      ORDER BY 1), '{}')
FROM pg_namespace ns WHERE ns.nspname = 'public'`,
		[]string{n.App, n.Readonly, n.Backup}, n.Owner).Scan(&st.SchemaOwner, &st.PublicCreate, &st.Usage, &st.DefaultPrivileges)
	if err != nil {
		return GrantState{}, fmt.Errorf("read grants in database %s: %w", n.Database, err)
	}
	err = s.QueryRow(ctx, `
SELECT count(*) FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
WHERE ns.nspname = 'public' AND c.relkind IN ('r', 'p')
  AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)
  AND NOT (has_table_privilege($1, c.oid, 'SELECT') AND has_table_privilege($1, c.oid, 'INSERT')
       AND has_table_privilege($1, c.oid, 'UPDATE') AND has_table_privilege($1, c.oid, 'DELETE')
       AND has_table_privilege($2, c.oid, 'SELECT') AND has_table_privilege($3, c.oid, 'SELECT'))`,
		n.App, n.Readonly, n.Backup).Scan(&st.UngrantedTables)
	if err != nil {
		return GrantState{}, fmt.Errorf("read table grants in database %s: %w", n.Database, err)
	}
	if st.OverGranted, err = inspectOverGrants(ctx, s, n); err != nil {
		return GrantState{}, err
	}
	err = s.QueryRow(ctx, `
SELECT coalesce(array(SELECT r FROM unnest(ARRAY[$1::text, $2::text, $3::text]) r
                      WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r)
                        AND has_schema_privilege(r, 'public', 'CREATE') ORDER BY 1), '{}'),
       (SELECT count(*) FROM pg_class c WHERE c.relowner IN (SELECT oid FROM pg_roles WHERE rolname IN ($1, $4, $5)))
       + (SELECT count(*) FROM pg_proc p WHERE p.proowner IN (SELECT oid FROM pg_roles WHERE rolname IN ($1, $4, $5)))
       + (SELECT count(*) FROM pg_namespace n WHERE n.nspowner IN (SELECT oid FROM pg_roles WHERE rolname IN ($1, $4, $5)))`,
		n.App, n.Readonly, n.Backup, n.Blue, n.Green).Scan(&st.SchemaCreate, &st.AppOwns)
	if err != nil {
		return GrantState{}, fmt.Errorf("read excess privileges in database %s: %w", n.Database, err)
	}
	return st, nil
}

// defaultPrivileges are the owner's default privileges the operator keeps:
// tables and sequences the LMS's migrations create are usable at once.
func defaultPrivileges(n Names) []string {
	return []string{
		"S:" + n.App + ":SELECT", "S:" + n.App + ":USAGE",
		"S:" + n.Backup + ":SELECT", "S:" + n.Readonly + ":SELECT",
		"r:" + n.App + ":DELETE", "r:" + n.App + ":INSERT", "r:" + n.App + ":SELECT", "r:" + n.App + ":UPDATE",
		"r:" + n.Backup + ":SELECT", "r:" + n.Readonly + ":SELECT",
	}
}

// PlanGrants puts back schema public's owner and USAGE grants, the owner's
// default privileges and the grants on existing tables. The statements are
// idempotent, so a group is re-run whole when any part of it is missing.
func PlanGrants(n Names, st GrantState) []Change {
	var out []Change
	owner, app, ro, bk := ident(n.Owner), ident(n.App), ident(n.Readonly), ident(n.Backup)
	if st.SchemaOwner != n.Owner {
		out = append(out, Change{
			SQL:   "ALTER SCHEMA public OWNER TO " + owner,
			What:  fmt.Sprintf("Gave schema public of database %s to %s", n.Database, n.Owner),
			Drift: fmt.Sprintf("schema public of database %s was owned by %s; given back to %s", n.Database, st.SchemaOwner, n.Owner),
		})
	}
	if st.PublicCreate {
		out = append(out, Change{
			SQL:   "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
			What:  fmt.Sprintf("Revoked CREATE on schema public of database %s from PUBLIC", n.Database),
			Drift: fmt.Sprintf("PUBLIC could create in schema public of database %s; revoked", n.Database),
		})
	}
	var noUsage []string
	for _, r := range []string{n.App, n.Readonly, n.Backup} {
		if !slices.Contains(st.Usage, r) {
			noUsage = append(noUsage, r)
		}
	}
	if len(noUsage) > 0 {
		out = append(out, Change{
			SQL:   fmt.Sprintf("GRANT USAGE ON SCHEMA public TO %s, %s, %s", app, ro, bk),
			What:  fmt.Sprintf("Granted USAGE on schema public of database %s", n.Database),
			Drift: fmt.Sprintf("%s lacked USAGE on schema public of database %s; granted", strings.Join(noUsage, ", "), n.Database),
		})
	}
	var missing []string
	for _, p := range defaultPrivileges(n) {
		if !slices.Contains(st.DefaultPrivileges, p) {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		prefix := fmt.Sprintf("ALTER DEFAULT PRIVILEGES FOR ROLE %s IN SCHEMA public ", owner)
		for _, sql := range []string{
			prefix + "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO " + app,
			prefix + "GRANT USAGE, SELECT ON SEQUENCES TO " + app,
			prefix + fmt.Sprintf("GRANT SELECT ON TABLES TO %s, %s", ro, bk),
			prefix + fmt.Sprintf("GRANT SELECT ON SEQUENCES TO %s, %s", ro, bk),
		} {
			out = append(out, Change{
				SQL:   sql,
				What:  fmt.Sprintf("Set default privileges of %s in database %s", n.Owner, n.Database),
				Drift: fmt.Sprintf("default privileges of %s in database %s lacked %s; restored", n.Owner, n.Database, strings.Join(missing, ", ")),
			})
		}
	}
	if len(st.SchemaCreate) > 0 {
		// Only from the roles seen: one given CREATE since is reported by
		// the next pass, not taken back unreported by this one.
		grantees := make([]string, len(st.SchemaCreate))
		for i, r := range st.SchemaCreate {
			grantees[i] = ident(r)
		}
		out = append(out, Change{
			SQL:   "REVOKE CREATE ON SCHEMA public FROM " + strings.Join(grantees, ", "),
			What:  fmt.Sprintf("Revoked CREATE on schema public of database %s", n.Database),
			Drift: fmt.Sprintf("%s could create in schema public of database %s; revoked", strings.Join(st.SchemaCreate, ", "), n.Database),
		})
	}
	if st.AppOwns > 0 {
		for _, r := range []string{n.App, n.Blue, n.Green} {
			out = append(out, Change{
				SQL:   fmt.Sprintf("REASSIGN OWNED BY %s TO %s", ident(r), owner),
				What:  fmt.Sprintf("Gave objects of %s in database %s to %s", r, n.Database, n.Owner),
				Drift: fmt.Sprintf("the LMS's roles owned %d objects in database %s; given to %s", st.AppOwns, n.Database, n.Owner),
			})
		}
	}
	if len(st.OverGranted) > 0 {
		// Each statement takes back exactly what was seen, table by table,
		// so what the Event names is what was revoked: a privilege granted
		// after the inspection is left for the next pass to see and report.
		var named []string
		for _, g := range st.OverGranted {
			for _, p := range g.Privileges {
				named = append(named, fmt.Sprintf("%s:%s on %s", g.Grantee, p, g.Table))
			}
		}
		drift := fmt.Sprintf("tables in database %s granted %s beyond their roles; revoked", n.Database, strings.Join(named, ", "))
		for _, g := range st.OverGranted {
			out = append(out, Change{
				SQL:   fmt.Sprintf("REVOKE %s ON TABLE public.%s FROM %s", strings.Join(g.Privileges, ", "), ident(g.Table), g.grantee()),
				What:  fmt.Sprintf("Revoked excess table privileges in database %s", n.Database),
				Drift: drift,
			})
		}
	}
	if st.UngrantedTables > 0 {
		for _, sql := range []string{
			"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + app,
			"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO " + app,
			fmt.Sprintf("GRANT SELECT ON ALL TABLES IN SCHEMA public TO %s, %s", ro, bk),
			fmt.Sprintf("GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO %s, %s", ro, bk),
		} {
			out = append(out, Change{
				SQL:   sql,
				What:  fmt.Sprintf("Granted access to existing tables in database %s", n.Database),
				Drift: fmt.Sprintf("%d tables in database %s lacked grants; granted", st.UngrantedTables, n.Database),
			})
		}
	}
	return out
}
