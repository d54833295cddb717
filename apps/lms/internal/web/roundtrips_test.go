package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/db"
)

// roundTripBudget is what a request may send to Postgres, counted (not
// timed) by a pgx tracer: round trips and statements, after one warm-up
// request (pgx describes each statement once per connection). Lower these
// when a change cuts a request's round trips; a change that needs more
// must say why here. docs/performance.md has the history.
var roundTripBudget = map[string]struct {
	role              db.Role
	trips, statements int
}{
	"/":            {db.Teacher, 3, 7},
	"/admin/users": {db.DistrictAdmin, 3, 8},
}

// countRoundTrips installs a counter on the district's pools (reopened, so
// every connection carries it) that counts only calls made while serving a
// request, not the job queue's polling. d.db is closed: requests reach
// the reopened pools through the registry.
func countRoundTrips(t testing.TB, d *district) *db.RoundTrips {
	t.Helper()
	rt := &db.RoundTrips{Count: func(ctx context.Context) bool { return ctx.Value(http.ServerContextKey) != nil }}
	pools := d.srv.Registry.Pools
	pools.Tracer = rt
	pools.Close(d.entry.Tenant)
	return rt
}

// The home page and the admin users page stay within their round-trip and
// statement budgets.
func TestRoundTripsPerRequest(t *testing.T) {
	d := newDistrict(t, "trips")
	clients := map[string]*client{}
	for path, budget := range roundTripBudget {
		clients[path], _ = d.session(budget.role)
	}
	rt := countRoundTrips(t, d) // after the sessions: it closes d.db
	for path, budget := range roundTripBudget {
		c := clients[path]
		if res, _ := c.get(path); res.StatusCode != http.StatusOK { // warm up
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
		rt.Take()
		if res, _ := c.get(path); res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
		trips, statements, sql := rt.Take()
		t.Logf("%s as %s: %d round trips, %d statements:\n  %s", path, budget.role, trips, statements, strings.Join(oneLine(sql), "\n  "))
		if trips == 0 {
			t.Errorf("%s: counted nothing: the counter is not installed", path)
		}
		if trips > budget.trips || statements > budget.statements {
			t.Errorf("%s: %d round trips and %d statements, budget %d and %d", path, trips, statements, budget.trips, budget.statements)
		}
	}
}

func oneLine(sql []db.Statement) []string {
	out := make([]string, len(sql))
	for i, st := range sql {
		s := strings.Join(strings.Fields(st.SQL), " ")
		if len(s) > 110 {
			s = s[:110] + "…"
		}
		out[i] = s
	}
	return out
}
