package controllers_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"bellwork.dev/bellwork/internal/pgadmin"
	"bellwork.dev/bellwork/pkg/directory"
)

// simPostgres plays one Postgres server for the scale benchmark, where
// 10,000 real tenant databases would not fit: it keeps roles, databases and
// grants in memory, applies the statements pgadmin writes (the forms its
// planners produce, nothing else) and answers pgadmin's catalogue queries
// from that state. A statement or query it does not know fails, so a change
// in pgadmin shows up here rather than passing unnoticed. Every Exec counts
// as a write.
type simPostgres struct {
	mu     sync.Mutex
	roles  map[string]*simRole
	dbs    map[string]*simDB
	status map[string]*directory.Status // per database, as the LMS reports it

	execs   atomic.Int64
	unknown []string
	// inspected records each database whose roles a pass read: one per
	// tenant pass that reached the roles phase.
	inspected map[string]int
}

type simRole struct {
	state    pgadmin.RoleState
	verifier string
}

type simDB struct {
	owner              string
	connect, temporary []string
	// grantsDone: the grants phase has run its statements in it (they are
	// idempotent and planned as a group, so one flag stands for them).
	grantsDone bool
}

func newSimPostgres() *simPostgres {
	return &simPostgres{roles: map[string]*simRole{}, dbs: map[string]*simDB{}, status: map[string]*directory.Status{},
		inspected: map[string]int{}}
}

// createDatabase is what CloudNativePG does for an applied Database.
func (p *simPostgres) createDatabase(name, owner string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.dbs[name]; !ok {
		// A new database's default ACL: CONNECT and TEMPORARY for PUBLIC
		// and the owner.
		p.dbs[name] = &simDB{owner: owner, connect: []string{"PUBLIC", owner}, temporary: []string{"PUBLIC", owner}}
	}
}

// reportSchool records what the LMS would write to operator_status after
// storing a school.
func (p *simPostgres) reportSchool(db, code string, st directory.SchoolStatus) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.status[db]
	if s == nil {
		s = &directory.Status{Milestones: map[string]directory.MilestoneStatus{}, Schools: map[string]directory.SchoolStatus{}}
		p.status[db] = s
	}
	s.Schools[code] = st
}

// passesSince counts databases inspected at least once since a snapshot.
func (p *simPostgres) inspectedSince(before map[string]int) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for db, c := range p.inspected {
		if c > before[db] {
			n++
		}
	}
	return n
}

func (p *simPostgres) inspectedSnapshot() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int, len(p.inspected))
	for k, v := range p.inspected {
		out[k] = v
	}
	return out
}

func (p *simPostgres) unknownStatements() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.unknown)
}

func (p *simPostgres) Open(_ context.Context, t pgadmin.Target) (pgadmin.Session, error) {
	return &simSession{p: p, db: t.Database}, nil
}

type simSession struct {
	p  *simPostgres
	db string
}

func (s *simSession) Close(context.Context) {}

func unquote(id string) string { return strings.ReplaceAll(strings.Trim(id, `"`), `""`, `"`) }

func unquoteList(list string) []string {
	var out []string
	for _, id := range strings.Split(list, ",") {
		out = append(out, unquote(strings.TrimSpace(id)))
	}
	return out
}

var (
	reCreateRole   = regexp.MustCompile(`^CREATE ROLE ("[^"]+"|\S+) (.*)$`)
	reSetPassword  = regexp.MustCompile(`^ALTER ROLE ("[^"]+") PASSWORD '([^']*)'$`)
	reAlterRole    = regexp.MustCompile(`^ALTER ROLE ("[^"]+") (.*)$`)
	reGrantRole    = regexp.MustCompile(`^GRANT ("[^"]+") TO ("[^"]+")$`)
	reRevokeRole   = regexp.MustCompile(`^REVOKE ("[^"]+") FROM ("[^"]+")$`)
	reCreateDB     = regexp.MustCompile(`^CREATE DATABASE ("[^"]+") OWNER ("[^"]+")$`)
	reGrantConnect = regexp.MustCompile(`^GRANT CONNECT ON DATABASE ("[^"]+") TO (.+)$`)
	reRevokePublic = regexp.MustCompile(`^REVOKE ALL ON DATABASE ("[^"]+") FROM PUBLIC$`)
	reGrantTemp    = regexp.MustCompile(`^GRANT TEMPORARY ON DATABASE ("[^"]+") TO ("[^"]+")$`)
	reConnLimit    = regexp.MustCompile(`CONNECTION LIMIT (-?\d+)`)
)

// inDatabaseGrant are the grants phase's statements, run in the tenant
// database.
var inDatabaseGrant = []string{"ALTER SCHEMA public OWNER TO ", "REVOKE CREATE ON SCHEMA public", "GRANT USAGE ON SCHEMA public",
	"ALTER DEFAULT PRIVILEGES ", "REASSIGN OWNED BY ", "GRANT SELECT", "GRANT USAGE, SELECT",
	// Excess table privileges, revoked table by table.
	"REVOKE DELETE", "REVOKE INSERT", "REVOKE MAINTAIN", "REVOKE REFERENCES", "REVOKE SELECT", "REVOKE TRIGGER",
	"REVOKE TRUNCATE", "REVOKE UPDATE"}

func setAttributes(r *pgadmin.RoleState, attrs string) {
	for _, w := range strings.Fields(attrs) {
		switch w {
		case "LOGIN", "NOLOGIN":
			r.Login = w == "LOGIN"
		case "SUPERUSER", "NOSUPERUSER":
			r.Super = w == "SUPERUSER"
		case "CREATEDB", "NOCREATEDB":
			r.CreateDB = w == "CREATEDB"
		case "CREATEROLE", "NOCREATEROLE":
			r.CreateRole = w == "CREATEROLE"
		case "INHERIT", "NOINHERIT":
			r.Inherit = w == "INHERIT"
		case "REPLICATION", "NOREPLICATION":
			r.Replication = w == "REPLICATION"
		case "BYPASSRLS", "NOBYPASSRLS":
			r.BypassRLS = w == "BYPASSRLS"
		}
	}
	if m := reConnLimit.FindStringSubmatch(attrs); m != nil {
		r.ConnLimit, _ = strconv.Atoi(m[1])
	}
}

func (s *simSession) Exec(_ context.Context, sql string, _ ...any) error {
	p := s.p
	p.execs.Add(1)
	p.mu.Lock()
	defer p.mu.Unlock()
	role := func(name string) (*simRole, error) {
		r, ok := p.roles[name]
		if !ok {
			return nil, &pgconn.PgError{Code: "42704", Message: fmt.Sprintf("role %q does not exist", name)}
		}
		return r, nil
	}
	if m := reCreateRole.FindStringSubmatch(sql); m != nil {
		name := unquote(m[1])
		if _, ok := p.roles[name]; ok {
			return &pgconn.PgError{Code: "42710", Message: fmt.Sprintf("role %q already exists", name)}
		}
		r := &simRole{state: pgadmin.RoleState{Name: name, Inherit: true, ConnLimit: -1}}
		setAttributes(&r.state, m[2])
		p.roles[name] = r
		return nil
	}
	if m := reSetPassword.FindStringSubmatch(sql); m != nil {
		r, err := role(unquote(m[1]))
		if err != nil {
			return err
		}
		r.verifier = m[2]
		return nil
	}
	if m := reAlterRole.FindStringSubmatch(sql); m != nil {
		r, err := role(unquote(m[1]))
		if err != nil {
			return err
		}
		setAttributes(&r.state, m[2])
		return nil
	}
	if m := reGrantRole.FindStringSubmatch(sql); m != nil {
		r, err := role(unquote(m[2]))
		if err != nil {
			return err
		}
		if g := unquote(m[1]); !slices.Contains(r.state.MemberOf, g) {
			r.state.MemberOf = append(r.state.MemberOf, g)
			slices.Sort(r.state.MemberOf)
		}
		return nil
	}
	if m := reRevokeRole.FindStringSubmatch(sql); m != nil {
		r, err := role(unquote(m[2]))
		if err != nil {
			return err
		}
		r.state.MemberOf = slices.DeleteFunc(r.state.MemberOf, func(g string) bool { return g == unquote(m[1]) })
		return nil
	}
	if m := reCreateDB.FindStringSubmatch(sql); m != nil {
		name, owner := unquote(m[1]), unquote(m[2])
		p.dbs[name] = &simDB{owner: owner, connect: []string{"PUBLIC", owner}, temporary: []string{"PUBLIC", owner}}
		return nil
	}
	db := func(quoted string) (*simDB, error) {
		d, ok := p.dbs[unquote(quoted)]
		if !ok {
			return nil, &pgconn.PgError{Code: "3D000", Message: fmt.Sprintf("database %s does not exist", quoted)}
		}
		return d, nil
	}
	if m := reGrantConnect.FindStringSubmatch(sql); m != nil {
		d, err := db(m[1])
		if err != nil {
			return err
		}
		for _, g := range unquoteList(m[2]) {
			if !slices.Contains(d.connect, g) {
				d.connect = append(d.connect, g)
			}
		}
		slices.Sort(d.connect)
		return nil
	}
	if m := reRevokePublic.FindStringSubmatch(sql); m != nil {
		d, err := db(m[1])
		if err != nil {
			return err
		}
		notPublic := func(g string) bool { return g == "PUBLIC" }
		d.connect, d.temporary = slices.DeleteFunc(d.connect, notPublic), slices.DeleteFunc(d.temporary, notPublic)
		return nil
	}
	if m := reGrantTemp.FindStringSubmatch(sql); m != nil {
		d, err := db(m[1])
		if err != nil {
			return err
		}
		if g := unquote(m[2]); !slices.Contains(d.temporary, g) {
			d.temporary = append(d.temporary, g)
		}
		return nil
	}
	if d, ok := p.dbs[s.db]; ok && s.db != "postgres" {
		for _, prefix := range inDatabaseGrant {
			if strings.HasPrefix(sql, prefix) {
				d.grantsDone = true
				return nil
			}
		}
	}
	p.unknown = append(p.unknown, strings.SplitN(sql, " PASSWORD ", 2)[0])
	return fmt.Errorf("simulated Postgres does not know the statement %q", strings.SplitN(sql, " PASSWORD ", 2)[0])
}

func (s *simSession) Query(_ context.Context, sql string, args ...any) (pgx.Rows, error) {
	p := s.p
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case strings.Contains(sql, "FROM pg_roles r WHERE r.rolname = ANY($1)"):
		names, _ := args[0].([]string)
		if len(names) > 0 {
			// The first name is the owner: <database>_owner.
			p.inspected[strings.TrimSuffix(names[0], "_owner")]++
		}
		var rows [][]any
		for _, n := range names {
			if r, ok := p.roles[n]; ok {
				st := r.state
				rows = append(rows, []any{st.Name, st.Super, st.Inherit, st.CreateRole, st.CreateDB, st.Login, st.Replication,
					st.BypassRLS, st.ConnLimit, slices.Clone(st.MemberOf)})
			}
		}
		return &simRows{rows: rows}, nil
	case strings.Contains(sql, "aclexplode(coalesce(c.relacl"):
		return &simRows{}, nil // no excess table privileges
	case strings.Contains(sql, "FROM pg_authid"):
		names, _ := args[0].([]string)
		var rows [][]any
		for _, n := range names {
			if r, ok := p.roles[n]; ok {
				rows = append(rows, []any{n, r.verifier})
			}
		}
		return &simRows{rows: rows}, nil
	}
	p.unknown = append(p.unknown, "query: "+firstLine(sql))
	return nil, fmt.Errorf("simulated Postgres does not know the query %q", firstLine(sql))
}

func firstLine(sql string) string {
	sql = strings.TrimSpace(sql)
	if i := strings.IndexByte(sql, '\n'); i > 0 {
		return sql[:i]
	}
	return sql
}

func (s *simSession) QueryRow(_ context.Context, sql string, args ...any) pgx.Row {
	p := s.p
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case strings.Contains(sql, "FROM pg_database d WHERE d.datname = $1"):
		d, ok := p.dbs[args[0].(string)]
		if !ok {
			return simRow{err: pgx.ErrNoRows}
		}
		return simRow{values: []any{d.owner, slices.Sorted(slices.Values(d.connect)), slices.Sorted(slices.Values(d.temporary))}}
	case strings.Contains(sql, "FROM pg_namespace ns WHERE ns.nspname = 'public'"):
		d, ok := p.dbs[s.db]
		if !ok {
			return simRow{err: fmt.Errorf("database %s does not exist", s.db)}
		}
		if !d.grantsDone {
			// A fresh database on Postgres 15 and later.
			return simRow{values: []any{"pg_database_owner", false, []string{}, []string{}}}
		}
		n, err := pgadmin.NamesFor(s.db)
		if err != nil {
			return simRow{err: err}
		}
		usage := []string{n.App, n.Backup, n.Readonly}
		slices.Sort(usage)
		defaults := []string{
			"S:" + n.App + ":SELECT", "S:" + n.App + ":USAGE", "S:" + n.Backup + ":SELECT", "S:" + n.Readonly + ":SELECT",
			"r:" + n.App + ":DELETE", "r:" + n.App + ":INSERT", "r:" + n.App + ":SELECT", "r:" + n.App + ":UPDATE",
			"r:" + n.Backup + ":SELECT", "r:" + n.Readonly + ":SELECT",
		}
		return simRow{values: []any{n.Owner, false, usage, defaults}}
	case strings.Contains(sql, "SELECT count(*) FROM pg_class c JOIN pg_namespace"):
		return simRow{values: []any{0}}
	case strings.Contains(sql, "has_schema_privilege(r, 'public', 'CREATE')"):
		return simRow{values: []any{[]string{}, 0}}
	case strings.Contains(sql, "count(*) FROM pg_stat_activity"):
		return simRow{values: []any{0}}
	}
	p.unknown = append(p.unknown, "query: "+firstLine(sql))
	return simRow{err: fmt.Errorf("simulated Postgres does not know the query %q", firstLine(sql))}
}

func (s *simSession) ReadStatus(context.Context) (*directory.Status, error) {
	p := s.p
	p.mu.Lock()
	defer p.mu.Unlock()
	out := &directory.Status{Milestones: map[string]directory.MilestoneStatus{}, Schools: map[string]directory.SchoolStatus{}}
	if st := p.status[s.db]; st != nil {
		for k, v := range st.Schools {
			out.Schools[k] = v
		}
		for k, v := range st.Milestones {
			out.Milestones[k] = v
		}
	}
	return out, nil
}

// scanInto assigns values to Scan's destinations, as pgx would for the
// types pgadmin scans into.
func scanInto(values []any, dest []any) error {
	if len(values) != len(dest) {
		return fmt.Errorf("simulated row has %d values, Scan wants %d", len(values), len(dest))
	}
	for i, d := range dest {
		dv := reflect.ValueOf(d)
		if dv.Kind() != reflect.Pointer {
			return fmt.Errorf("Scan destination %d is not a pointer", i)
		}
		v := reflect.ValueOf(values[i])
		if !v.Type().AssignableTo(dv.Elem().Type()) {
			if !v.Type().ConvertibleTo(dv.Elem().Type()) {
				return fmt.Errorf("Scan destination %d: cannot put %T into %s", i, values[i], dv.Elem().Type())
			}
			v = v.Convert(dv.Elem().Type())
		}
		dv.Elem().Set(v)
	}
	return nil
}

type simRow struct {
	values []any
	err    error
}

func (r simRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return scanInto(r.values, dest)
}

type simRows struct {
	rows [][]any
	i    int
	err  error
}

func (r *simRows) Close()                                       {}
func (r *simRows) Err() error                                   { return r.err }
func (r *simRows) CommandTag() pgconn.CommandTag                { return pgconn.NewCommandTag("SELECT") }
func (r *simRows) FieldDescriptions() []pgconn.FieldDescription { return nil }
func (r *simRows) Next() bool {
	if r.i >= len(r.rows) {
		return false
	}
	r.i++
	return true
}
func (r *simRows) Scan(dest ...any) error {
	if r.i == 0 || r.i > len(r.rows) {
		return errors.New("Scan without a current row")
	}
	return scanInto(r.rows[r.i-1], dest)
}
func (r *simRows) Values() ([]any, error) {
	if r.i == 0 || r.i > len(r.rows) {
		return nil, errors.New("Values without a current row")
	}
	return r.rows[r.i-1], nil
}
func (r *simRows) RawValues() [][]byte  { return nil }
func (r *simRows) Conn() *pgx.Conn      { return nil }
func (r *simRows) TypeMap() *pgtype.Map { return nil }
