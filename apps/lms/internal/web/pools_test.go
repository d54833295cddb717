package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/tenancy"
)

// A district's pool closes once it sits idle, and its job queue with it;
// the next request opens both again, so an import applied then still runs.
// A pool whose queue still has work due stays open.
func TestIdlePoolClosesAndComesBackWithItsQueue(t *testing.T) {
	d := newDistrict(t, "idle")
	pools := d.srv.Registry.Pools
	c, csrf := d.session(db.DistrictAdmin) // before d.db's pool closes
	later := func() time.Time { return time.Now().Add(2 * pools.IdleAfter) }
	if n := pools.EvictIdle(later()); n != 1 {
		t.Fatalf("closed %d idle pools, want 1", n)
	}
	if _, open := pools.Peek("idle"); open {
		t.Fatal("the idle pool is still open")
	}

	res, _ := c.upload(csrf, "users_csv", map[string][]byte{"users.csv": []byte(
		"email,given_name,family_name,role,school_code\nnew.teacher@idle.org,Nia,Teacher,teacher,A\n")})
	m := importLink.FindStringSubmatch(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("upload after the pool closed: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := c.post("/admin/imports/"+m[1]+"/apply", url.Values{"_csrf": {csrf}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply: %d", res.StatusCode)
	}
	waitUntil(t, "the import applied by the restarted queue", func() bool {
		_, page := c.get("/admin/imports/" + m[1])
		return strings.Contains(page, "Applied")
	})

	// The old pool's eviction notice, arriving late, leaves the queue that
	// now works on the new pool alone: a second import still applies.
	pools.OnEvict("idle", d.db)
	res, _ = c.upload(csrf, "users_csv", map[string][]byte{"users.csv": []byte(
		"email,given_name,family_name,role,school_code\nsecond.teacher@idle.org,Sol,Teacher,teacher,A\n")})
	m = importLink.FindStringSubmatch(res.Header.Get("Location"))
	if m == nil {
		t.Fatalf("second upload: %d", res.StatusCode)
	}
	if res, _ := c.post("/admin/imports/"+m[1]+"/apply", url.Values{"_csrf": {csrf}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply after a late eviction notice: %d", res.StatusCode)
	}
	waitUntil(t, "the second import applied", func() bool {
		_, page := c.get("/admin/imports/" + m[1])
		return strings.Contains(page, "Applied")
	})

	// Work scheduled for later keeps the pool, and the queue, open.
	fresh, err := d.srv.Registry.DB(t.Context(), mustTenant(t, d))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fresh.Pool().Exec(context.Background(), `INSERT INTO river_job (args, kind, max_attempts, priority, queue, state, scheduled_at)
		VALUES ('{}', 'roster_import', 1, 1, 'default', 'scheduled', now() + interval '1 hour')`); err != nil {
		t.Fatal(err)
	}
	if n := pools.EvictIdle(later()); n != 0 {
		t.Fatal("a pool with work scheduled was closed")
	}
	if _, open := pools.Peek("idle"); !open {
		t.Fatal("the pool with work scheduled is gone")
	}
}

func mustTenant(t *testing.T, d *district) *tenancy.Tenant {
	t.Helper()
	tt, ok := d.srv.Registry.Get(d.entry.Tenant)
	if !ok {
		t.Fatal("tenant not in the registry")
	}
	return tt
}
