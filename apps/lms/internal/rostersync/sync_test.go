package rostersync_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/imports"
	"bellwork.dev/bellwork/apps/lms/internal/jobs"
	"bellwork.dev/bellwork/apps/lms/internal/lmstest"
	"bellwork.dev/bellwork/apps/lms/internal/roster"
	"bellwork.dev/bellwork/apps/lms/internal/rostersync"
	"bellwork.dev/bellwork/apps/lms/internal/rostersync/rostertest"
)

func TestMain(m *testing.M) { lmstest.Main(m) }

// district is a migrated tenant database with the fixture's two schools
// and a district admin who turned the sync on.
type district struct {
	t     *testing.T
	db    *db.DB
	admin db.Actor
	now   time.Time
	// queued are the ImportArgs a run enqueued.
	queued []jobs.ImportArgs
}

func newDistrict(t *testing.T, autoApplyMax int) *district {
	t.Helper()
	pools := db.NewPools(time.Minute, 4)
	t.Cleanup(pools.CloseAll)
	d, err := pools.Get(t.Context(), "t", lmstest.TenantDB(t))
	if err != nil {
		t.Fatal(err)
	}
	dist := &district{t: t, db: d, now: time.Date(2025, 1, 6, 7, 0, 0, 0, time.UTC)}
	dist.one(`INSERT INTO schools (code, name, time_zone) VALUES ('LHS', 'Lakeview High', 'America/Chicago') RETURNING id`)
	dist.one(`INSERT INTO schools (code, name, time_zone) VALUES ('LMS', 'Lakeview Middle', 'America/Chicago') RETURNING id`)
	id := dist.one(`INSERT INTO users (email, display_name) VALUES ('admin@lakeview.example', 'Admin') RETURNING id`)
	dist.one(`INSERT INTO memberships (user_id, role) VALUES ($1, 'district_admin') RETURNING id::text`, id)
	dist.admin = db.Actor{UserID: id, Role: db.DistrictAdmin, OnBehalf: true}
	dist.settings(true, 60, autoApplyMax)
	return dist
}

func (d *district) settings(enabled bool, every, autoApplyMax int) {
	d.t.Helper()
	if err := d.db.InTx(context.Background(), d.admin, func(s *db.Scope) error {
		return rostersync.Save(context.Background(), s, enabled, every, autoApplyMax, d.now)
	}); err != nil {
		d.t.Fatal(err)
	}
}

func (d *district) one(sql string, args ...any) string {
	d.t.Helper()
	var v string
	if err := d.db.InTx(context.Background(), db.SystemActor(), func(s *db.Scope) error {
		return s.Tx.QueryRow(context.Background(), sql, args...).Scan(&v)
	}); err != nil {
		d.t.Fatalf("%s: %v", sql, err)
	}
	return v
}

func (d *district) strings(sql string, args ...any) []string {
	d.t.Helper()
	var out []string
	if err := d.db.InTx(context.Background(), db.SystemActor(), func(s *db.Scope) error {
		rows, err := s.Tx.Query(context.Background(), sql, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	}); err != nil {
		d.t.Fatalf("%s: %v", sql, err)
	}
	slices.Sort(out)
	return out
}

// roster fingerprints the tables a roster import writes.
func (d *district) roster() map[string]string {
	out := map[string]string{}
	for _, table := range []string{"terms", "courses", "sections", "users", "memberships", "enrollments", "guardian_links"} {
		out[table] = d.one(`SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM ` + table + ` t`)
	}
	return out
}

func (d *district) run(srv *rostertest.Server, force bool) (*rostersync.Outcome, error) {
	c := client(srv, "1.2", &waits{})
	r := &rostersync.Run{DB: d.db, Client: c, Now: func() time.Time { return d.now },
		Enqueue: func(_ context.Context, _ *db.Scope, importID string, actor db.Actor) error {
			d.queued = append(d.queued, jobs.ImportArgs{Tenant: "t", ImportID: importID, UserID: actor.UserID, Role: string(actor.Role)})
			return nil
		}}
	return r.Once(context.Background(), force)
}

// applyQueued works the import jobs a run queued, as the job queue would.
func (d *district) applyQueued() {
	d.t.Helper()
	w := &jobs.ImportWorker{DB: func(context.Context, string) (*db.DB, error) { return d.db, nil }, Now: func() time.Time { return d.now }}
	for _, args := range d.queued {
		if err := w.Work(context.Background(), &river.Job[jobs.ImportArgs]{JobRow: &rivertype.JobRow{}, Args: args}); err != nil {
			d.t.Fatalf("import job: %v", err)
		}
	}
	d.queued = nil
}

// A run waits for an admin when the change is larger than the threshold,
// applies without review when it is not, and each run is in the history.
func TestSyncPreviewsLargeChangesAndAppliesSmallOnes(t *testing.T) {
	d := newDistrict(t, 5)
	srv := rostertest.New(bundle(t, "oneroster12"))
	defer srv.Close()

	if out, err := d.run(srv, false); err != nil || out != nil {
		t.Fatalf("a run before the sync is due: %+v, %v", out, err)
	}
	d.now = d.now.Add(time.Hour)
	before := d.roster()
	out, err := d.run(srv, false)
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != imports.ImportPreviewed || out.Plan == nil || out.Plan.Total() != 25 || len(d.queued) != 0 {
		t.Fatalf("first run: status %s, plan %+v, queued %v; want 25 changes waiting for review", out.Status, out.Plan, d.queued)
	}
	if !maps.Equal(before, d.roster()) {
		t.Error("a run waiting for review changed the roster")
	}
	if got := d.one(`SELECT last_status || ': ' || last_error FROM roster_syncs`); got != "waiting for review: 25 changes, more than the 5 that apply without review." {
		t.Errorf("sync state = %q", got)
	}

	// The admin raises the threshold; the next run applies on its own.
	d.settings(true, 60, 100)
	out, err = d.run(srv, true)
	if err != nil || out.Status != imports.ImportQueued || len(d.queued) != 1 {
		t.Fatalf("second run: %+v, %v, queued %v", out, err, d.queued)
	}
	d.applyQueued()
	if got := d.strings(`SELECT sourced_id FROM users WHERE sourced_id IS NOT NULL`); !slices.Equal(got, []string{"g1", "u1", "u2", "u3", "u4", "u5"}) {
		t.Errorf("users after the sync = %q", got)
	}

	// A teacher leaves the provider's roster: one change, applied on its own.
	changed := bundle(t, "oneroster12")
	changed.Users = slices.DeleteFunc(changed.Users, func(u roster.User) bool { return u.SourcedID == "u1" })
	changed.Enrollments = slices.DeleteFunc(changed.Enrollments, func(e roster.Enrollment) bool { return e.UserSourcedID == "u1" })
	changed.Roles = slices.DeleteFunc(changed.Roles, func(r roster.Role) bool { return r.UserSourcedID == "u1" })
	srv.SetBundle(changed)
	d.now = d.now.Add(2 * time.Hour)
	out, err = d.run(srv, false)
	if err != nil || out.Status != imports.ImportQueued || out.Plan.Total() != 2 {
		t.Fatalf("third run: %+v, %v", out, err)
	}
	d.applyQueued()
	if got := d.one(`SELECT status FROM users WHERE sourced_id = 'u1'`); got != "deactivated" {
		t.Errorf("u1 is %s after leaving the provider's roster", got)
	}

	var runs []imports.SyncRun
	if err := d.db.InTx(context.Background(), d.admin, func(s *db.Scope) (err error) {
		runs, err = imports.SyncRuns(context.Background(), s, 10)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var statuses []string
	for _, r := range runs {
		statuses = append(statuses, r.Status)
	}
	if !slices.Equal(statuses, []string{"applied", "applied", "previewed"}) {
		t.Errorf("run history = %q, want the two applied runs after the one waiting", statuses)
	}
}

// A provider that goes away mid-sync fails the run, which is recorded, and
// nothing of the roster changes; one that refuses the credentials likewise.
func TestSyncProviderGoneMidSyncChangesNothing(t *testing.T) {
	d := newDistrict(t, 1000)
	srv := rostertest.New(bundle(t, "oneroster12"))
	defer srv.Close()
	srv.FailAfter(5) // orgs, sessions, courses, classes and the first page of users
	before := d.roster()
	out, err := d.run(srv, true)
	if err == nil || out == nil || out.Status != imports.ImportFailed {
		t.Fatalf("run against a vanishing provider: %+v, %v; want a failed run", out, err)
	}
	if len(d.queued) != 0 || !maps.Equal(before, d.roster()) {
		t.Errorf("a failed run queued %v or changed the roster", d.queued)
	}
	if got := d.one(`SELECT last_status || ': ' || last_error FROM roster_syncs`); !strings.HasPrefix(got, "failed: The provider could not be read to the end") {
		t.Errorf("sync state = %q", got)
	}
	if got := d.one(`SELECT status || ' ' || (problems->0->>'Reason') FROM imports WHERE sync_id IS NOT NULL`); !strings.HasPrefix(got, "failed The provider could not be read") {
		t.Errorf("run history = %q", got)
	}
	if got := d.one(`SELECT count(*)::text FROM import_files`); got != "0" {
		t.Errorf("a failed run stored %s files", got)
	}
}
