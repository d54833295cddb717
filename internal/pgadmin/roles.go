package pgadmin

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// RoleSpec is a role as the operator wants it. Every tenant role is
// NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION INHERIT; the rest varies.
type RoleSpec struct {
	Name      string
	Login     bool
	BypassRLS bool
	// ConnLimit is CONNECTION LIMIT; -1 is none.
	ConnLimit int
	// MemberOf is every role this one is a member of, and nothing else.
	MemberOf []string
}

// DesiredRoles are the tenant's roles. connLimit caps each app login and
// the system login.
func DesiredRoles(n Names, connLimit int) []RoleSpec {
	return []RoleSpec{
		{Name: n.Owner, Login: true, ConnLimit: -1},
		{Name: n.App, Login: false, ConnLimit: -1},
		{Name: n.Blue, Login: true, ConnLimit: connLimit, MemberOf: []string{n.App}},
		{Name: n.Green, Login: true, ConnLimit: connLimit, MemberOf: []string{n.App}},
		// Never BYPASSRLS: the policies admit it as system work, and nothing
		// but its own login may be a member of it (PlanRoles revokes any
		// other membership of the tenant's roles).
		{Name: n.System, Login: true, ConnLimit: connLimit, MemberOf: []string{n.App}},
		{Name: n.Readonly, Login: true, ConnLimit: -1},
		// pg_dump must read tables whose row-level security is FORCEd; only
		// BYPASSRLS lets it see their rows (it refuses to dump a subset).
		{Name: n.Backup, Login: true, BypassRLS: true, ConnLimit: -1},
	}
}

// RoleState is a role as pg_roles shows it.
type RoleState struct {
	Name        string
	Super       bool
	Inherit     bool
	CreateRole  bool
	CreateDB    bool
	Login       bool
	Replication bool
	BypassRLS   bool
	ConnLimit   int
	MemberOf    []string
}

// InspectRoles reads the named roles; absent roles are absent from the map.
// pg_roles and pg_auth_members are shared catalogs, so any database will do.
func InspectRoles(ctx context.Context, s Session, names []string) (map[string]RoleState, error) {
	rows, err := s.Query(ctx, `
SELECT r.rolname, r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolcreatedb, r.rolcanlogin,
       r.rolreplication, r.rolbypassrls, r.rolconnlimit,
       coalesce(array(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                      WHERE m.member = r.oid ORDER BY 1), '{}')
FROM pg_roles r WHERE r.rolname = ANY($1)`, names)
	if err != nil {
		return nil, fmt.Errorf("read roles: %w", err)
	}
	defer rows.Close()
	out := map[string]RoleState{}
	for rows.Next() {
		var r RoleState
		if err := rows.Scan(&r.Name, &r.Super, &r.Inherit, &r.CreateRole, &r.CreateDB, &r.Login,
			&r.Replication, &r.BypassRLS, &r.ConnLimit, &r.MemberOf); err != nil {
			return nil, fmt.Errorf("read roles: %w", err)
		}
		out[r.Name] = r
	}
	return out, rows.Err()
}

// PlanRoles creates missing roles and puts back attributes and memberships
// that differ from want. Roles are handled in the order given, so a group
// exists before its members.
func PlanRoles(want []RoleSpec, have map[string]RoleState) []Change {
	var out []Change
	for _, w := range want {
		h, ok := have[w.Name]
		if !ok {
			out = append(out, Change{
				SQL:   fmt.Sprintf("CREATE ROLE %s %s", ident(w.Name), strings.Join(attributes(w), " ")),
				What:  fmt.Sprintf("Created role %s", w.Name),
				Drift: fmt.Sprintf("role %s was missing; created", w.Name),
			})
			for _, g := range w.MemberOf {
				out = append(out, Change{
					SQL:  fmt.Sprintf("GRANT %s TO %s", ident(g), ident(w.Name)),
					What: fmt.Sprintf("Made role %s a member of %s", w.Name, g),
				})
			}
			continue
		}
		out = append(out, planAttributes(w, h)...)
		out = append(out, planMemberships(w, h)...)
	}
	return out
}

func attributes(w RoleSpec) []string {
	login, bypass := "NOLOGIN", "NOBYPASSRLS"
	if w.Login {
		login = "LOGIN"
	}
	if w.BypassRLS {
		bypass = "BYPASSRLS"
	}
	return []string{login, "NOSUPERUSER", "NOCREATEDB", "NOCREATEROLE", "INHERIT", "NOREPLICATION", bypass,
		fmt.Sprintf("CONNECTION LIMIT %d", w.ConnLimit)}
}

type flag struct {
	have, want bool
	on, off    string
}

func planAttributes(w RoleSpec, h RoleState) []Change {
	var set, drift []string
	for _, f := range []flag{
		{h.Super, false, "SUPERUSER", "NOSUPERUSER"},
		{h.CreateDB, false, "CREATEDB", "NOCREATEDB"},
		{h.CreateRole, false, "CREATEROLE", "NOCREATEROLE"},
		{h.Replication, false, "REPLICATION", "NOREPLICATION"},
		{h.Inherit, true, "INHERIT", "NOINHERIT"},
		{h.Login, w.Login, "LOGIN", "NOLOGIN"},
		{h.BypassRLS, w.BypassRLS, "BYPASSRLS", "NOBYPASSRLS"},
	} {
		if f.have == f.want {
			continue
		}
		if f.want {
			set = append(set, f.on)
			drift = append(drift, fmt.Sprintf("%s had %s; set %s", w.Name, f.off, f.on))
		} else {
			set = append(set, f.off)
			drift = append(drift, fmt.Sprintf("%s had %s; removed", w.Name, f.on))
		}
	}
	if h.ConnLimit != w.ConnLimit {
		set = append(set, fmt.Sprintf("CONNECTION LIMIT %d", w.ConnLimit))
		drift = append(drift, fmt.Sprintf("%s had CONNECTION LIMIT %d; set %d", w.Name, h.ConnLimit, w.ConnLimit))
	}
	if len(set) == 0 {
		return nil
	}
	return []Change{{
		SQL:   fmt.Sprintf("ALTER ROLE %s %s", ident(w.Name), strings.Join(set, " ")),
		What:  fmt.Sprintf("Set %s on role %s", strings.Join(set, " "), w.Name),
		Drift: strings.Join(drift, "; "),
	}}
}

func planMemberships(w RoleSpec, h RoleState) []Change {
	var out []Change
	for _, g := range h.MemberOf {
		if !slices.Contains(w.MemberOf, g) {
			out = append(out, Change{
				SQL:   fmt.Sprintf("REVOKE %s FROM %s", ident(g), ident(w.Name)),
				What:  fmt.Sprintf("Revoked membership of %s from role %s", g, w.Name),
				Drift: fmt.Sprintf("%s was a member of %s; revoked", w.Name, g),
			})
		}
	}
	for _, g := range w.MemberOf {
		if !slices.Contains(h.MemberOf, g) {
			out = append(out, Change{
				SQL:   fmt.Sprintf("GRANT %s TO %s", ident(g), ident(w.Name)),
				What:  fmt.Sprintf("Made role %s a member of %s", w.Name, g),
				Drift: fmt.Sprintf("%s was not a member of %s; granted", w.Name, g),
			})
		}
	}
	return out
}
