package pgadmin

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// provision creates n's roles and database and converges the grants in it,
// returning a superuser session in the database.
func provision(t *testing.T, d *Dialer, n Names) Session {
	t.Helper()
	ctx := context.Background()
	maint := open(t, d, adminTarget("postgres"))
	have, err := InspectRoles(ctx, maint, n.Roles())
	if err != nil {
		t.Fatal(err)
	}
	if err := Apply(ctx, maint, PlanRoles(DesiredRoles(n, 5), have)); err != nil {
		t.Fatal(err)
	}
	if err := Apply(ctx, maint, []Change{CreateDatabase(n)}); err != nil {
		t.Fatal(err)
	}
	st, err := InspectDatabase(ctx, maint, n.Database)
	if err != nil {
		t.Fatal(err)
	}
	if err := Apply(ctx, maint, PlanDatabase(n, nil, st)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = Apply(context.Background(), maint, append([]Change{TerminateSessions(n), DropDatabase(n)}, DropRoles(n)...))
	})
	in := open(t, d, adminTarget(n.Database))
	gst, err := InspectGrants(ctx, in, n)
	if err != nil {
		t.Fatal(err)
	}
	if err := Apply(ctx, in, PlanGrants(n, gst)); err != nil {
		t.Fatal(err)
	}
	return in
}

// tablePrivileges lists, as "<grantee>:<privilege> on <table>", what the
// app, readonly and backup roles and PUBLIC may do to tables in schema
// public, from the access lists (an owner without one has its defaults).
func tablePrivileges(t *testing.T, s Session, n Names) []string {
	t.Helper()
	rows, err := s.Query(context.Background(), `
SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee)::text END
       || ':' || a.privilege_type || ' on ' || c.relname
FROM pg_class c
JOIN pg_namespace ns ON ns.oid = c.relnamespace AND ns.nspname = 'public'
CROSS JOIN LATERAL aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
WHERE c.relkind IN ('r', 'p')
  AND (a.grantee = 0 OR a.grantee IN (SELECT oid FROM pg_roles WHERE rolname IN ($1, $2, $3)))
ORDER BY 1`, n.App, n.Readonly, n.Backup)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// A pass inspects, then privileges are granted by hand, then the pass
// applies its plan (the order a drift check racing a person at psql can
// take). The pass takes back only what it saw and named; what was granted
// after is left for the next pass, which names it as it takes it back.
// Every privilege that disappears is named in a drift message.
func TestGrantsGivenAfterInspectionAreNotRevokedUnreported(t *testing.T) {
	ctx := context.Background()
	d := NewDialer()
	t.Cleanup(d.Close)
	n, err := NamesFor("bw_race")
	if err != nil {
		t.Fatal(err)
	}
	in := provision(t, d, n)
	exec := func(sqls ...string) {
		t.Helper()
		for _, sql := range sqls {
			if err := in.Exec(ctx, sql); err != nil {
				t.Fatalf("%s: %v", sql, err)
			}
		}
	}
	// pass applies changes and checks that every table privilege of the
	// tenant's roles and PUBLIC that it took away is named as drift.
	pass := func(changes []Change) string {
		t.Helper()
		before := tablePrivileges(t, in, n)
		if err := Apply(ctx, in, changes); err != nil {
			t.Fatal(err)
		}
		after := tablePrivileges(t, in, n)
		var drift []string
		for _, c := range changes {
			if c.Drift != "" && !slices.Contains(drift, c.Drift) {
				drift = append(drift, c.Drift)
			}
		}
		all := strings.Join(drift, "; ")
		for _, p := range before {
			if !slices.Contains(after, p) && !strings.Contains(all, p) {
				t.Errorf("%s was taken away unreported; drift: %s", p, all)
			}
		}
		return all
	}
	inspect := func() []Change {
		t.Helper()
		st, err := InspectGrants(ctx, in, n)
		if err != nil {
			t.Fatal(err)
		}
		return PlanGrants(n, st)
	}

	exec("CREATE TABLE grades (id int)", "ALTER TABLE grades OWNER TO "+ident(n.App))
	first := inspect()
	exec("CREATE TABLE notes (id int)",
		"GRANT INSERT, DELETE ON notes TO "+ident(n.Readonly),
		"GRANT TRUNCATE ON notes TO PUBLIC",
		"GRANT CREATE ON SCHEMA public TO "+ident(n.Readonly))
	drift := pass(first)
	for _, want := range []string{"the LMS's roles owned 1 objects", "bw_race_app:TRUNCATE on grades"} {
		if !strings.Contains(drift, want) {
			t.Errorf("first pass: drift %q lacks %q", drift, want)
		}
	}
	var roInsert, publicTruncate, roCreate bool
	if err := in.QueryRow(ctx, `SELECT has_table_privilege($1, 'notes', 'INSERT'), has_table_privilege('bw_race_backup', 'notes', 'TRUNCATE'),
		has_schema_privilege($1, 'public', 'CREATE')`, n.Readonly).Scan(&roInsert, &publicTruncate, &roCreate); err != nil {
		t.Fatal(err)
	}
	if !roInsert || !publicTruncate || !roCreate {
		t.Errorf("the first pass took back what it had not seen: readonly INSERT %v, PUBLIC TRUNCATE %v, readonly CREATE %v",
			roInsert, publicTruncate, roCreate)
	}

	drift = pass(inspect())
	for _, want := range []string{"bw_race_readonly:INSERT on notes", "bw_race_readonly:DELETE on notes", "PUBLIC:TRUNCATE on notes",
		"bw_race_readonly could create in schema public"} {
		if !strings.Contains(drift, want) {
			t.Errorf("second pass: drift %q lacks %q", drift, want)
		}
	}
	if left := inspect(); len(left) > 0 {
		t.Errorf("after two passes still plans %q", sqls(left))
	}
	for _, p := range tablePrivileges(t, in, n) {
		if role, _, _ := strings.Cut(p, ":"); role != n.App && !strings.HasPrefix(p, role+":SELECT ") {
			t.Errorf("left over: %s", p)
		}
	}
}
