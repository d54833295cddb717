package web

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/lmstest"
	"bellwork.dev/bellwork/pkg/directory"
)

// TestServesThroughPgBouncer serves a district whose directory entry points
// at a real PgBouncer in transaction mode with one server connection per
// login (DirectHost still reaches Postgres for migrations, as in
// production): password sign-in (system login), pages and the API (app
// login) for two users taking turns on that connection, each seeing only
// their own. It proves the LMS's query mode behind a pooler (unnamed
// statements, db.Pools) works with a PgBouncer that has no prepared
// statement support.
func TestServesThroughPgBouncer(t *testing.T) {
	d := newDistrict(t, "pooled", func(e *directory.Entry) { e.Database = lmstest.ThroughPgBouncer(t, e.Database) })
	if d.entry.Database.Host == d.entry.Database.DirectHost && d.entry.Database.Port == d.entry.Database.DirectPort {
		t.Fatal("the district does not go through the pooler")
	}
	teacher, student := d.client(), d.client()
	for role, c := range map[db.Role]*client{db.Teacher: teacher, db.Student: student} {
		if res := c.signIn(d.users[role].Email, testPassword); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s signs in through the pooler: %d\n%s", role, res.StatusCode, lmstest.BouncerLog())
		}
	}
	section := "/teach/sections/" + d.section
	for round := range 3 {
		if res, body := teacher.get("/"); res.StatusCode != http.StatusOK || !strings.Contains(body, "Algebra I - P1") {
			t.Fatalf("round %d: teacher's home page: %d", round, res.StatusCode)
		}
		if res, _ := student.get("/"); res.StatusCode != http.StatusOK {
			t.Fatalf("round %d: student's home page: %d", round, res.StatusCode)
		}
		if res, body := teacher.get(section); res.StatusCode != http.StatusOK || !strings.Contains(body, d.users[db.Student].Email) {
			t.Fatalf("round %d: teacher's roster: %d", round, res.StatusCode)
		}
		if res, _ := student.get(section); res.StatusCode != http.StatusForbidden {
			t.Fatalf("round %d: student on the teacher's roster: %d", round, res.StatusCode)
		}
		res, body := student.get("/api/v1/sections/" + d.section + "/roster")
		if res.StatusCode != http.StatusOK || strings.Contains(body, "guardian@") || !strings.Contains(body, d.users[db.Student].ID) {
			t.Fatalf("round %d: student's roster through the API: %d %s", round, res.StatusCode, body)
		}
	}
	// At once: the LMS's pools open several client connections, whose
	// queries the pooler runs on its one server connection in turn (where
	// named prepared statements would collide).
	var wg sync.WaitGroup
	for _, c := range []*client{teacher, student, teacher, student} {
		wg.Go(func() {
			for i := range 10 {
				if res, _ := c.get("/"); res.StatusCode != http.StatusOK {
					t.Errorf("home page %d at once: %d", i, res.StatusCode)
					return
				}
			}
		})
	}
	wg.Wait()
}
