package pgadmin

import (
	"context"
	"fmt"
)

// TableGrant is privileges one grantee holds on one table in schema public.
type TableGrant struct {
	// Table is the table's name, unqualified (it is in schema public).
	Table string
	// Grantee is a role's name, or PUBLIC.
	Grantee string
	// Privileges are privilege names, e.g. INSERT, in alphabetical order.
	Privileges []string
}

// grantee is Grantee as a REVOKE names it.
func (g TableGrant) grantee() string {
	if g.Grantee == "PUBLIC" {
		return "PUBLIC"
	}
	return ident(g.Grantee)
}

// inspectOverGrants reads, from the tables' access lists, the privileges
// beyond each role's share: for the app role anything but DML, for readonly
// and backup anything but SELECT, for PUBLIC anything. A table without an
// access list counts as its owner's default privileges.
func inspectOverGrants(ctx context.Context, s Session, n Names) ([]TableGrant, error) {
	rows, err := s.Query(ctx, `
SELECT c.relname::text,
       CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee)::text END,
       array_agg(DISTINCT a.privilege_type::text ORDER BY a.privilege_type::text)
FROM pg_class c
JOIN pg_namespace ns ON ns.oid = c.relnamespace AND ns.nspname = 'public'
CROSS JOIN LATERAL aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
WHERE c.relkind IN ('r', 'p')
  AND (a.grantee = 0
       OR (a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1)
           AND a.privilege_type IN ('TRUNCATE', 'REFERENCES', 'TRIGGER'))
       OR (a.grantee IN (SELECT oid FROM pg_roles WHERE rolname IN ($2, $3))
           AND a.privilege_type IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER')))
GROUP BY 1, 2 ORDER BY 1, 2`, n.App, n.Readonly, n.Backup)
	if err != nil {
		return nil, fmt.Errorf("read excess table privileges in database %s: %w", n.Database, err)
	}
	defer rows.Close()
	var out []TableGrant
	for rows.Next() {
		var g TableGrant
		if err := rows.Scan(&g.Table, &g.Grantee, &g.Privileges); err != nil {
			return nil, fmt.Errorf("read excess table privileges in database %s: %w", n.Database, err)
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read excess table privileges in database %s: %w", n.Database, err)
	}
	return out, nil
}
