package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/lmstest"
	"bellwork.dev/bellwork/apps/lms/internal/mail"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
	"bellwork.dev/bellwork/pkg/directory"
)

// A session of district A is worth nothing on district B's host, and B's
// ids read as not found from A.
func TestSessionsDoNotCrossDistricts(t *testing.T) {
	a := newDistrict(t, "isoa")
	b := newDistrict(t, "isob")
	ca, _ := a.session(db.DistrictAdmin)
	// Same cookie, B's host (a second server, as a second fleet replica would be).
	_, token := cookieOf(t, ca, a.host)
	req, _ := http.NewRequest("GET", b.http.URL+"/", nil)
	req.Host = b.host
	req.AddCookie(&http.Cookie{Name: kit.SessionCookie, Value: token})
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("A's session on B's host: %d, want a redirect to sign in", res.StatusCode)
	}
	if res, _ := ca.get("/admin/users/" + b.users[db.Teacher].ID); res.StatusCode != http.StatusNotFound {
		t.Fatalf("B's user from A: %d", res.StatusCode)
	}
	if res, _ := ca.get("/api/v1/sections/" + b.section + "/roster"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("B's roster from A: %d", res.StatusCode)
	}
}

func cookieOf(t *testing.T, c *client, host string) (string, string) {
	t.Helper()
	for _, k := range c.jar.Cookies(mustURL("http://" + host + "/")) {
		if k.Name == kit.SessionCookie {
			return k.Name, k.Value
		}
	}
	t.Fatal("no session cookie")
	return "", ""
}

// A student cannot open a teacher's page or another section's roster.
func TestStudentCannotOpenTeacherPages(t *testing.T) {
	d := newDistrict(t, "student")
	c, _ := d.session(db.Student)
	if res, _ := c.get("/teach/sections/" + d.section); res.StatusCode != http.StatusForbidden {
		t.Fatalf("student on a teacher page: %d", res.StatusCode)
	}
	res, body := c.get("/api/v1/sections/" + d.section + "/roster")
	if res.StatusCode != http.StatusOK || strings.Contains(body, "guardian@") {
		t.Fatalf("student roster: %d", res.StatusCode)
	}
	var roster struct{ Items []map[string]any }
	_ = json.Unmarshal([]byte(body), &roster)
	for _, e := range roster.Items {
		if e["role"] == "student" && e["userId"] != d.users[db.Student].ID {
			t.Fatalf("student sees a classmate: %v", e)
		}
	}
}

// An unknown host gets a clear page; a district whose database is down gets
// its own 503 while the others keep working.
func TestUnknownHostAndUnreachableDistrict(t *testing.T) {
	good := newDistrict(t, "up")
	if res, body := good.client().do("GET", "/signin", nil, http.Header{}); res.StatusCode != http.StatusOK || !strings.Contains(body, "Sign in") {
		t.Fatalf("healthy district: %d", res.StatusCode)
	}
	stranger := good.client()
	stranger.d = &district{t: t, http: good.http, host: "nowhere.localhost"}
	res, body := stranger.get("/signin")
	if res.StatusCode != http.StatusNotFound || !strings.Contains(body, "No district here") {
		t.Fatalf("unknown host: %d", res.StatusCode)
	}

	lms := newApp(t, &mail.Mailbox{})
	reg := lms.Registry
	down := good.entry.Database
	down.Port, down.DirectPort = 1, 1 // nothing listens there
	reg.Replace([]*directory.Entry{{Version: 1, Tenant: "down", DisplayName: "Down", Hosts: []string{"down.localhost"}, TimeZone: "UTC", Database: down}})
	srv, err := New(lms, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	probes := httptest.NewServer(srv.ProbeHandler())
	defer probes.Close()
	req, _ := http.NewRequest("GET", hs.URL+"/signin", nil)
	req.Host = "down.localhost"
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(page), "not available right now") || !strings.Contains(string(page), "request id") {
		t.Fatalf("unreachable district: %d %s", res.StatusCode, page)
	}
	// The process stays ready (it answers the district with that page);
	// /readyz shows the district unreachable.
	res, err = http.Get(probes.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	probe, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(probe), `"tenant":"down"`) || !strings.Contains(string(probe), `"converged":false`) {
		t.Fatalf("readyz with the only district down: %d %s", res.StatusCode, probe)
	}
	// With its pool open and no database answering, the replica still
	// answers (with the district's own page), and says which is down.
	downTenant, _ := reg.Get("down")
	if _, err := reg.DB(t.Context(), downTenant); err != nil {
		t.Fatal(err)
	}
	res, err = http.Get(probes.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	probe, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(probe), `"reachable":false`) {
		t.Fatalf("readyz with no database answering: %d %s", res.StatusCode, probe)
	}
}

// A replica whose background loop has not reached a new district yet
// converges it for the first request instead of answering "not available":
// another replica may already have told the operator the district is ready.
func TestFirstRequestConvergesANewDistrict(t *testing.T) {
	lms := newApp(t, &mail.Mailbox{})
	reg := lms.Registry
	reg.Replace([]*directory.Entry{{Version: 1, Tenant: "fresh", DisplayName: "Fresh", Hosts: []string{"fresh.localhost"},
		TimeZone: "UTC", Database: lmstest.TenantDB(t), Schools: []directory.School{{Code: "A", Name: "School A", TimeZone: "UTC"}}}})
	// No reg.Run: nothing converges in the background.
	srv, err := New(lms, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	req, _ := http.NewRequest("GET", hs.URL+"/signin", nil)
	req.Host = "fresh.localhost"
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("first request to a district not yet converged here: %d, want the sign-in page", res.StatusCode)
	}
}
