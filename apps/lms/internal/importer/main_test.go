package importer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/lmstest"
	"bellwork.dev/bellwork/apps/lms/internal/roster"
	"bellwork.dev/bellwork/internal/dev/fixtures"
)

func TestMain(m *testing.M) { lmstest.Main(m) }

// importTables are the tables an import writes.
var importTables = []string{"terms", "courses", "sections", "users", "memberships", "enrollments", "guardian_links"}

// district is a fresh, migrated tenant database seeded as the system actor.
type district struct {
	t  *testing.T
	db *db.DB
}

func newDistrict(t *testing.T) *district {
	t.Helper()
	dir := lmstest.TenantDB(t)
	pools := db.NewPools(time.Minute, 4)
	t.Cleanup(pools.CloseAll)
	d, err := pools.Get(t.Context(), "t", dir)
	if err != nil {
		t.Fatal(err)
	}
	return &district{t: t, db: d}
}

// as runs fn in a committed transaction acting for actor.
func (d *district) as(actor db.Actor, fn func(s *db.Scope) error) error {
	return d.db.InTx(context.Background(), actor, fn)
}

func (d *district) one(sql string, args ...any) string {
	d.t.Helper()
	var v string
	err := d.as(db.SystemActor(), func(s *db.Scope) error { return s.Tx.QueryRow(context.Background(), sql, args...).Scan(&v) })
	if err != nil {
		d.t.Fatalf("%s: %v", sql, err)
	}
	return v
}

// strings returns the first column of a query run as the system, sorted.
func (d *district) strings(sql string, args ...any) []string {
	d.t.Helper()
	var out []string
	err := d.as(db.SystemActor(), func(s *db.Scope) error {
		rows, err := s.Tx.Query(context.Background(), sql, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		d.t.Fatalf("%s: %v", sql, err)
	}
	slices.Sort(out)
	return out
}

func (d *district) school(code, name string) string {
	d.t.Helper()
	return d.one(`INSERT INTO schools (code, name, time_zone) VALUES ($1, $2, 'America/Chicago') RETURNING id`, code, name)
}

// user adds a user holding role (at schoolID unless empty) and returns them as an actor.
func (d *district) user(email string, role db.Role, schoolID string) db.Actor {
	d.t.Helper()
	id := d.one(`INSERT INTO users (email, display_name) VALUES ($1, $1) RETURNING id`, email)
	d.one(`INSERT INTO memberships (user_id, role, school_id) VALUES ($1, $2, nullif($3, '')::uuid) RETURNING id::text`, id, string(role), schoolID)
	// As the import job acts for the admin: the system login narrowed to
	// the admin's context, which row-level security limits like a session.
	return db.Actor{UserID: id, Role: role, SchoolID: schoolID, OnBehalf: true}
}

// snapshot fingerprints every table an import writes: its row count and a
// hash of all its rows (users' updated_at included), so equal snapshots
// mean nothing was written.
func (d *district) snapshot() map[string]string {
	d.t.Helper()
	out := map[string]string{}
	for _, table := range importTables {
		out[table] = d.one(`SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM ` + table + ` t`)
	}
	return out
}

func (d *district) plan(actor db.Actor, b *roster.Bundle) *Plan {
	d.t.Helper()
	var p *Plan
	err := d.as(actor, func(s *db.Scope) error {
		var err error
		p, err = PlanOneRoster(context.Background(), s, b)
		return err
	})
	if err != nil {
		d.t.Fatalf("plan: %v", err)
	}
	return p
}

func (d *district) apply(actor db.Actor, b *roster.Bundle, progress func(done, total int)) (*Plan, error) {
	d.t.Helper()
	var p *Plan
	err := d.as(actor, func(s *db.Scope) error {
		var err error
		p, err = ApplyOneRoster(context.Background(), s, b, progress)
		return err
	})
	return p, err
}

func (d *district) mustApply(actor db.Actor, b *roster.Bundle) *Plan {
	d.t.Helper()
	p, err := d.apply(actor, b, nil)
	if err != nil {
		if p != nil {
			for _, pr := range p.Problems {
				d.t.Errorf("problem: %s", pr)
			}
		}
		d.t.Fatalf("apply: %v", err)
	}
	return p
}

// loadEdfi reads the Ed-Fi OneRoster 1.1 sample in place.
func loadEdfi(t *testing.T) map[string][]byte {
	t.Helper()
	edfiFixture := fixtures.Path(t, "oneroster/edfi-1.1")
	entries, err := os.ReadDir(edfiFixture)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".csv") {
			data, err := os.ReadFile(filepath.Join(edfiFixture, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			files[e.Name()] = data
		}
	}
	return files
}

// parse parses a bundle that must have no parser problems.
func parse(t *testing.T, files map[string][]byte) *roster.Bundle {
	t.Helper()
	b, problems := roster.ParseOneRoster(files)
	for _, p := range problems {
		t.Errorf("parser problem: %s", p)
	}
	if len(problems) > 0 {
		t.FailNow()
	}
	return b
}

// withoutLines returns a copy of files in which file lacks the lines containing s.
func withoutLines(files map[string][]byte, file, s string) map[string][]byte {
	out := make(map[string][]byte, len(files))
	for name, data := range files {
		out[name] = data
	}
	var kept []string
	for line := range strings.SplitSeq(string(files[file]), "\n") {
		if !strings.Contains(line, s) {
			kept = append(kept, line)
		}
	}
	out[file] = []byte(strings.Join(kept, "\n"))
	return out
}

// smallBundle writes a OneRoster bundle from rows under the required headers.
type smallBundle struct {
	orgs, sessions, courses, classes, users, enrollments []string
}

func (b smallBundle) files() map[string][]byte {
	file := func(header string, rows []string) []byte {
		return []byte(header + "\n" + strings.Join(rows, "\n") + "\n")
	}
	return map[string][]byte{
		"orgs.csv":             file("sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId", b.orgs),
		"academicSessions.csv": file("sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear", b.sessions),
		"courses.csv":          file("sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects", b.courses),
		"classes.csv": file("sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,periods",
			b.classes),
		"users.csv": file("sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades",
			b.users),
		"enrollments.csv": file("sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate", b.enrollments),
	}
}

// counts copies a plan's counts for comparison.
func counts(p *Plan) map[string]Change {
	out := map[string]Change{}
	for k, c := range p.Counts {
		out[k] = *c
	}
	return out
}

func wantCounts(t *testing.T, p *Plan, want map[string]Change) {
	t.Helper()
	got := counts(p)
	for _, e := range Entities {
		if got[e] != want[e] {
			t.Errorf("%s: got %+v, want %+v", e, got[e], want[e])
		}
	}
}

func wantNote(t *testing.T, p *Plan, substr string) {
	t.Helper()
	for _, n := range p.Notes {
		if strings.Contains(n, substr) {
			return
		}
	}
	t.Errorf("no note contains %q; notes: %q", substr, p.Notes)
}

func wantProblem(t *testing.T, problems []roster.Problem, want roster.Problem) {
	t.Helper()
	if !slices.Contains(problems, want) {
		t.Errorf("missing problem %s; got:", want)
		for _, p := range problems {
			t.Errorf("  %s", p)
		}
	}
}

func wantErrProblems(t *testing.T, p *Plan, err error) {
	t.Helper()
	if !errors.Is(err, ErrProblems) {
		t.Fatalf("apply: got error %v, want ErrProblems", err)
	}
	if p == nil || len(p.Problems) == 0 {
		t.Fatalf("apply: ErrProblems without the plan's problems")
	}
}
