package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/db"
)

// guardianHomeBudget is what the guardian home may send to Postgres for
// one child in one section (counted, not timed, as roundTripBudget): the
// session (8 statements), six reads for the children, their sections,
// assignments and work, and the gradebook's per-section read
// (grading.ForSection: 10 statements in one batch, and the section's
// outcomes, a second round trip). It grows by that read per section, never
// with assignments.
var guardianHomeBudget = struct{ trips, statements int }{14, 26}

// The guardian home computes course grades with the gradebook (weighted
// groups, drops, a letter scheme, posted grades only) and sends the same
// number of queries whether the section has three assignments or
// thirteen.
func TestGuardianHomeUsesTheGradebookInBoundedQueries(t *testing.T) {
	d := newDistrict(t, "guardiantrips")
	teacher, _ := d.session(db.Teacher)
	d.gradeSection(t, d.actorOf(teacher, db.Teacher))
	g, _ := d.session(db.Guardian)
	rt := countRoundTrips(t, d)

	measure := func(what string) (int, int, string) {
		t.Helper()
		if res, body := g.get("/"); res.StatusCode != http.StatusOK { // warm up
			t.Fatalf("%s: %d\n%s", what, res.StatusCode, snippet(body))
		}
		rt.Take()
		res, body := g.get("/")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", what, res.StatusCode)
		}
		trips, statements, sql := rt.Take()
		t.Logf("%s: %d round trips, %d statements:\n  %s", what, trips, statements, strings.Join(oneLine(sql), "\n  "))
		if trips == 0 {
			t.Fatalf("%s: counted nothing", what)
		}
		if trips > guardianHomeBudget.trips || statements > guardianHomeBudget.statements {
			t.Errorf("%s: %d round trips and %d statements, budget %d and %d", what, trips, statements, guardianHomeBudget.trips, guardianHomeBudget.statements)
		}
		return trips, statements, body
	}
	trips, statements, body := measure("three assignments")
	// Homework 40% (10/10 and 5/10, the lower dropped) and Tests 60% (80/100,
	// unposted): the guardian's grade is Homework alone, 100.00% (A). One
	// group by points, as before, would have said 75.00%.
	mustContain(t, "course grade", body, "100.00%", "(A)")
	if strings.Contains(body, "75.00%") || strings.Contains(body, "80 / 100") {
		t.Errorf("the guardian home shows a points-only or unposted grade\n%s", snippet(body))
	}

	tenant, _ := d.srv.Registry.Get(d.entry.Tenant)
	dbase, err := d.srv.Registry.DB(context.Background(), tenant) // d.db was closed by the counter
	if err != nil {
		t.Fatal(err)
	}
	err = dbase.InTx(context.Background(), db.SystemActor(), func(s *db.Scope) error {
		for i := range 10 {
			var id string
			if err := s.Tx.QueryRow(context.Background(), `INSERT INTO assignments (school_id, section_ids, title, grading_type, points_possible,
				submission_types, published, due_at) VALUES ($1, ARRAY[$2::uuid], $3, 'points', 10, '{text}', true, now() + make_interval(days => $4))
				RETURNING id`, d.schoolA, d.section, fmt.Sprintf("Extra %d", i), i-5).Scan(&id); err != nil {
				return err
			}
			if _, err := s.Tx.Exec(context.Background(), `INSERT INTO grades (assignment_id, student_id, school_id, section_id, score, posted, posted_at)
				VALUES ($1, $2, $3, $4, 9, $5, now())`, id, d.users[db.Student].ID, d.schoolA, d.section, i%2 == 0); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	trips2, statements2, _ := measure("thirteen assignments")
	if trips2 != trips || statements2 != statements {
		t.Errorf("ten more assignments changed the queries: %d/%d round trips, %d/%d statements", trips, trips2, statements, statements2)
	}
}
