package pgadmin

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

func mustNames(t *testing.T, db string) Names {
	t.Helper()
	n, err := NamesFor(db)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNamesFor(t *testing.T) {
	for _, tc := range []struct {
		db      string
		wantErr string
	}{
		{db: "bw_lincoln_usd"},
		{db: "_x"},
		{db: "bw_" + strings.Repeat("a", 50)}, // the longest default name: bw_ + 50
		{db: "bw_" + strings.Repeat("a", 51), wantErr: "too long"},
		{db: "Bw", wantErr: "lower-case"},
		{db: `bw"; DROP DATABASE x; --`, wantErr: "lower-case"},
		{db: "1bw", wantErr: "lower-case"},
		{db: "postgres", wantErr: "reserved"},
		{db: "template1", wantErr: "reserved"},
	} {
		n, err := NamesFor(tc.db)
		if tc.wantErr == "" {
			if err != nil || n.Green != tc.db+"_app_green" || len(n.Green) > 63 {
				t.Errorf("NamesFor(%q) = %+v, %v", tc.db, n, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("NamesFor(%q) error = %v, want it to mention %q", tc.db, err, tc.wantErr)
		}
	}
}

func sqls(changes []Change) []string {
	var out []string
	for _, c := range changes {
		out = append(out, c.SQL)
	}
	return out
}

func TestPlanRolesCreatesEveryRoleGroupBeforeMembers(t *testing.T) {
	n := mustNames(t, "bw_x")
	got := sqls(PlanRoles(DesiredRoles(n, 40), map[string]RoleState{}))
	want := []string{
		`CREATE ROLE "bw_x_owner" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION NOBYPASSRLS CONNECTION LIMIT -1`,
		`CREATE ROLE "bw_x_app" NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION NOBYPASSRLS CONNECTION LIMIT -1`,
		`CREATE ROLE "bw_x_app_blue" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 40`,
		`GRANT "bw_x_app" TO "bw_x_app_blue"`,
		`CREATE ROLE "bw_x_app_green" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 40`,
		`GRANT "bw_x_app" TO "bw_x_app_green"`,
		`CREATE ROLE "bw_x_system" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 40`,
		`GRANT "bw_x_app" TO "bw_x_system"`,
		`CREATE ROLE "bw_x_readonly" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION NOBYPASSRLS CONNECTION LIMIT -1`,
		`CREATE ROLE "bw_x_backup" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION BYPASSRLS CONNECTION LIMIT -1`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// asWanted is the observed state of roles exactly as DesiredRoles wants them.
func asWanted(specs []RoleSpec) map[string]RoleState {
	out := map[string]RoleState{}
	for _, w := range specs {
		out[w.Name] = RoleState{Name: w.Name, Inherit: true, Login: w.Login, BypassRLS: w.BypassRLS, ConnLimit: w.ConnLimit, MemberOf: w.MemberOf}
	}
	return out
}

func TestPlanRolesPutsBackDrift(t *testing.T) {
	n := mustNames(t, "bw_x")
	want := DesiredRoles(n, 40)
	for _, tc := range []struct {
		name   string
		change func(map[string]RoleState)
		sql    []string
		drift  string
	}{
		{name: "unchanged", change: func(map[string]RoleState) {}},
		{
			name:   "app login given BYPASSRLS",
			change: func(m map[string]RoleState) { r := m[n.Blue]; r.BypassRLS = true; m[n.Blue] = r },
			sql:    []string{`ALTER ROLE "bw_x_app_blue" NOBYPASSRLS`},
			drift:  "bw_x_app_blue had BYPASSRLS; removed",
		},
		{
			name: "app login made a member of the owner",
			change: func(m map[string]RoleState) {
				r := m[n.Green]
				r.MemberOf = []string{n.App, n.Owner}
				m[n.Green] = r
			},
			sql:   []string{`REVOKE "bw_x_owner" FROM "bw_x_app_green"`},
			drift: "bw_x_app_green was a member of bw_x_owner; revoked",
		},
		{
			name:   "app login dropped from the app group",
			change: func(m map[string]RoleState) { r := m[n.Blue]; r.MemberOf = nil; m[n.Blue] = r },
			sql:    []string{`GRANT "bw_x_app" TO "bw_x_app_blue"`},
			drift:  "bw_x_app_blue was not a member of bw_x_app; granted",
		},
		{
			name: "several attributes at once",
			change: func(m map[string]RoleState) {
				r := m[n.Readonly]
				r.Super, r.CreateRole, r.Inherit, r.ConnLimit = true, true, false, 5
				m[n.Readonly] = r
			},
			sql:   []string{`ALTER ROLE "bw_x_readonly" NOSUPERUSER NOCREATEROLE INHERIT CONNECTION LIMIT -1`},
			drift: "bw_x_readonly had SUPERUSER; removed; bw_x_readonly had CREATEROLE; removed; bw_x_readonly had NOINHERIT; set INHERIT; bw_x_readonly had CONNECTION LIMIT 5; set -1",
		},
		{
			name:   "group given LOGIN",
			change: func(m map[string]RoleState) { r := m[n.App]; r.Login = true; m[n.App] = r },
			sql:    []string{`ALTER ROLE "bw_x_app" NOLOGIN`},
			drift:  "bw_x_app had LOGIN; removed",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			have := asWanted(want)
			tc.change(have)
			plan := PlanRoles(want, have)
			if got := sqls(plan); !slices.Equal(got, tc.sql) {
				t.Fatalf("plan %q, want %q", got, tc.sql)
			}
			if len(plan) > 0 && plan[0].Drift != tc.drift {
				t.Errorf("drift %q, want %q", plan[0].Drift, tc.drift)
			}
		})
	}
}

func TestPlanDatabaseKeepsConnectToTheTenant(t *testing.T) {
	n := mustNames(t, "bw_x")
	allowed := []string{n.App, n.Backup, n.Owner, n.Readonly}
	temp := []string{n.Owner}
	for _, tc := range []struct {
		name  string
		st    DatabaseState
		extra []string
		sql   []string
	}{
		{name: "missing database: nothing to plan", st: DatabaseState{}},
		{name: "as wanted", st: DatabaseState{Exists: true, Owner: n.Owner, Connect: allowed, Temporary: temp}},
		{
			name: "fresh database: PUBLIC may connect, the tenant's roles not yet",
			st:   DatabaseState{Exists: true, Owner: n.Owner, Connect: []string{"PUBLIC", n.Owner}, Temporary: []string{"PUBLIC", n.Owner}},
			sql: []string{`REVOKE ALL ON DATABASE "bw_x" FROM PUBLIC`,
				`GRANT CONNECT ON DATABASE "bw_x" TO "bw_x_app", "bw_x_readonly", "bw_x_backup"`},
		},
		{
			name: "another tenant's role and an app login granted directly",
			st:   DatabaseState{Exists: true, Owner: n.Owner, Connect: append([]string{"bw_y_app", n.Blue}, allowed...), Temporary: temp},
			sql:  []string{`REVOKE CONNECT ON DATABASE "bw_x" FROM "bw_y_app"`, `REVOKE CONNECT ON DATABASE "bw_x" FROM "bw_x_app_blue"`},
		},
		{
			name: "owner changed",
			st:   DatabaseState{Exists: true, Owner: "postgres", Connect: allowed, Temporary: temp},
			sql:  []string{`ALTER DATABASE "bw_x" OWNER TO "bw_x_owner"`},
		},
		{
			name:  "pooler role may connect when asked",
			st:    DatabaseState{Exists: true, Owner: n.Owner, Connect: allowed, Temporary: temp},
			extra: []string{PoolerRole},
			sql:   []string{`GRANT CONNECT ON DATABASE "bw_x" TO "cnpg_pooler_pgbouncer"`},
		},
		{
			name: "temporary tables granted to PUBLIC and the app group; the owner's taken",
			st:   DatabaseState{Exists: true, Owner: n.Owner, Connect: allowed, Temporary: []string{"PUBLIC", n.App}},
			sql: []string{`REVOKE TEMPORARY ON DATABASE "bw_x" FROM PUBLIC`, `REVOKE TEMPORARY ON DATABASE "bw_x" FROM "bw_x_app"`,
				`GRANT TEMPORARY ON DATABASE "bw_x" TO "bw_x_owner"`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sqls(PlanDatabase(n, tc.extra, tc.st)); !slices.Equal(got, tc.sql) {
				t.Errorf("plan %q, want %q", got, tc.sql)
			}
		})
	}
}

func TestPlanGrants(t *testing.T) {
	n := mustNames(t, "bw_x")
	good := GrantState{SchemaOwner: n.Owner, Usage: []string{n.App, n.Backup, n.Readonly}, DefaultPrivileges: defaultPrivileges(n)}
	if plan := PlanGrants(n, good); len(plan) != 0 {
		t.Errorf("as wanted, yet planned %q", sqls(plan))
	}
	fresh := GrantState{SchemaOwner: "pg_database_owner", PublicCreate: true}
	got := sqls(PlanGrants(n, fresh))
	for _, want := range []string{
		`ALTER SCHEMA public OWNER TO "bw_x_owner"`,
		`REVOKE CREATE ON SCHEMA public FROM PUBLIC`,
		`GRANT USAGE ON SCHEMA public TO "bw_x_app", "bw_x_readonly", "bw_x_backup"`,
		`ALTER DEFAULT PRIVILEGES FOR ROLE "bw_x_owner" IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "bw_x_app"`,
		`ALTER DEFAULT PRIVILEGES FOR ROLE "bw_x_owner" IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO "bw_x_app"`,
		`ALTER DEFAULT PRIVILEGES FOR ROLE "bw_x_owner" IN SCHEMA public GRANT SELECT ON TABLES TO "bw_x_readonly", "bw_x_backup"`,
	} {
		if !slices.Contains(got, want) {
			t.Errorf("fresh database plan lacks %q:\n%s", want, strings.Join(got, "\n"))
		}
	}
	ungranted := good
	ungranted.UngrantedTables = 3
	if got := sqls(PlanGrants(n, ungranted)); !slices.Contains(got, `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "bw_x_app"`) {
		t.Errorf("tables lacking grants: plan %q", got)
	}
	excess := good
	excess.OverGranted = []TableGrant{
		{Table: "notes", Grantee: "PUBLIC", Privileges: []string{"TRUNCATE"}},
		{Table: `odd "name"`, Grantee: n.Readonly, Privileges: []string{"DELETE", "INSERT"}},
	}
	excess.SchemaCreate, excess.AppOwns = []string{n.App}, 2
	plan := PlanGrants(n, excess)
	got = sqls(plan)
	for _, want := range []string{
		`REVOKE TRUNCATE ON TABLE public."notes" FROM PUBLIC`,
		`REVOKE DELETE, INSERT ON TABLE public."odd ""name""" FROM "bw_x_readonly"`,
		`REVOKE CREATE ON SCHEMA public FROM "bw_x_app"`,
		`REASSIGN OWNED BY "bw_x_app_blue" TO "bw_x_owner"`,
	} {
		if !slices.Contains(got, want) {
			t.Errorf("excess privileges: plan lacks %q:\n%s", want, strings.Join(got, "\n"))
		}
	}
	// Nothing is revoked beyond what was seen, and all of it is named.
	for _, c := range plan {
		if strings.Contains(c.SQL, "ALL TABLES") && strings.HasPrefix(c.SQL, "REVOKE") {
			t.Errorf("revokes on every table, not only what was seen: %s", c.SQL)
		}
		if strings.HasPrefix(c.SQL, "REVOKE") && strings.Contains(c.SQL, "ON TABLE") {
			for _, name := range []string{"PUBLIC:TRUNCATE on notes", `bw_x_readonly:DELETE on odd "name"`, `bw_x_readonly:INSERT on odd "name"`} {
				if !strings.Contains(c.Drift, name) {
					t.Errorf("drift %q does not name %s", c.Drift, name)
				}
			}
		}
	}
}

func TestPlanPoolerFunction(t *testing.T) {
	n := mustNames(t, "bw_x")
	if plan := PlanPoolerFunction(n, PoolerFunctionState{RoleExists: true, Exists: true, Sound: true, PoolerCanExecute: true}); len(plan) != 0 {
		t.Errorf("sound function, yet planned %q", sqls(plan))
	}
	plan := sqls(PlanPoolerFunction(n, PoolerFunctionState{}))
	if len(plan) != 3 || !strings.Contains(plan[0], "SECURITY DEFINER") || !strings.Contains(plan[0], "SET search_path = pg_catalog, pg_temp") ||
		!strings.Contains(plan[0], "RETURNS TABLE (usename name, passwd text)") || plan[2] != `GRANT EXECUTE ON FUNCTION public.user_search(text) TO "cnpg_pooler_pgbouncer"` {
		t.Errorf("plan %q", plan)
	}
	if got := sqls(PlanPoolerFunction(n, PoolerFunctionState{RoleExists: true, Exists: true, Sound: true, PoolerCanExecute: true, PublicCanExecute: true})); len(got) != 2 {
		t.Errorf("PUBLIC may execute: plan %q", got)
	}
}

var quotedRE = regexp.MustCompile(`"([^"]+)"`)

// Every statement for one tenant, from creation through drift repair to
// deletion, names only that tenant's database and roles (and, for a pooled
// tenant, CloudNativePG's PgBouncer role), never another tenant's.
func TestStatementsNameOnlyTheirTenant(t *testing.T) {
	n := mustNames(t, "bw_alpha")
	// A table of the tenant's own database is named to take back a grant on it.
	allowed := append(n.Roles(), n.Database, PoolerRole, "grades")
	var all []Change
	all = append(all, PlanRoles(DesiredRoles(n, 10), map[string]RoleState{})...)
	drifted := asWanted(DesiredRoles(n, 10))
	r := drifted[n.Blue]
	r.BypassRLS, r.MemberOf = true, nil
	drifted[n.Blue] = r
	all = append(all, PlanRoles(DesiredRoles(n, 10), drifted)...)
	all = append(all, CreateDatabase(n))
	all = append(all, PlanDatabase(n, []string{PoolerRole}, DatabaseState{Exists: true, Owner: "postgres", Connect: []string{"PUBLIC"}})...)
	all = append(all, PlanGrants(n, GrantState{PublicCreate: true, UngrantedTables: 1, SchemaCreate: []string{n.App, n.Readonly},
		OverGranted: []TableGrant{{Table: "grades", Grantee: n.Readonly, Privileges: []string{"INSERT"}}}, AppOwns: 1})...)
	all = append(all, PlanPoolerRole(PoolerFunctionState{})...)
	all = append(all, PlanPoolerFunction(n, PoolerFunctionState{})...)
	all = append(all, SetPassword(n.Blue, GeneratePassword()), TerminateSessions(n), DropDatabase(n))
	all = append(all, DropRoles(n)...)
	for _, c := range all {
		for _, m := range quotedRE.FindAllStringSubmatch(c.SQL, -1) {
			if !slices.Contains(allowed, m[1]) {
				t.Errorf("statement names %q, which is not tenant alpha's: %s", m[1], c.SQL)
			}
		}
		if strings.Contains(c.SQL, "bw_beta") || c.What == "" {
			t.Errorf("statement %q (what %q)", c.SQL, c.What)
		}
	}
	if !strings.Contains(TerminateSessions(n).SQL, "datname = 'bw_alpha'") {
		t.Errorf("TerminateSessions is not limited to the tenant database: %s", TerminateSessions(n).SQL)
	}
}

func TestPasswordsNeverAppearInStatements(t *testing.T) {
	pw := GeneratePassword()
	if len(pw) != 43 || !ValidPassword(pw) {
		t.Fatalf("generated password %q", pw)
	}
	c := SetPassword("bw_x_owner", pw)
	if strings.Contains(c.SQL, pw) || !strings.Contains(c.SQL, "'SCRAM-SHA-256$4096:") || strings.Contains(c.What, pw) {
		t.Errorf("SetPassword = %+v", c)
	}
	if GeneratePassword() == pw {
		t.Error("two generated passwords are equal")
	}
	for _, bad := range []string{"short", "has space inside it ok", "ünïcödé-password-long", strings.Repeat("x", 300)} {
		if ValidPassword(bad) {
			t.Errorf("ValidPassword(%q) = true", bad)
		}
	}
}

func TestPasswordMatchesMD5(t *testing.T) {
	// md5 + md5(password + user), as Postgres stores it with password_encryption = md5.
	const stored = "md5871c429757b7a0bf1654fad112b77bd4"
	if !PasswordMatches(stored, "user", "pw") || PasswordMatches(stored, "user", "other") || PasswordMatches(stored, "other", "pw") {
		t.Error("md5 verifier not checked right")
	}
	if PasswordMatches("", "user", "pw") || PasswordMatches("plain", "user", "plain") {
		t.Error("an empty or unknown verifier matched")
	}
}

func TestQuoteLiteral(t *testing.T) {
	if got := quoteLiteral(`it's`); got != `'it''s'` {
		t.Errorf("quoteLiteral = %s", got)
	}
}
