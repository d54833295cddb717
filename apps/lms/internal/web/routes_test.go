package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/db"
)

// Who may use each route, written here independently of the permission
// table, so that a new route without a decision fails this test and a
// change to the table must be made twice, on purpose.
var (
	anyone  = []db.Role{db.DistrictAdmin, db.SchoolAdmin, db.Teacher, db.Student, db.Guardian}
	admins  = []db.Role{db.DistrictAdmin, db.SchoolAdmin}
	public  []db.Role // nil: no session needed
	allowed = map[string][]db.Role{
		"GET /assets/{file}": public,
		"GET /signin":        public, "POST /signin": public, "GET /invitations/{token}": public, "POST /invitations/{token}": public,
		"GET /password/forgot": public, "POST /password/forgot": public, "GET /password/reset/{token}": public,
		"POST /password/reset/{token}": public, "GET /oidc/start": public, "GET /oidc/callback": public,
		"GET /api/v1/openapi.json": public, "GET /dev/mailbox": public,
		// Service routes: a flag token instead of a session (ofrep_test.go).
		"POST /ofrep/v1/evaluate/flags/{key}": public, "POST /ofrep/v1/evaluate/flags": public,

		// Final-grade overrides through the API (final_grade_api_test.go).
		"GET /api/v1/sections/{id}/grades/{student}/override":    {db.Teacher},
		"PUT /api/v1/sections/{id}/grades/{student}/override":    {db.Teacher},
		"DELETE /api/v1/sections/{id}/grades/{student}/override": {db.Teacher},

		"GET /{$}": anyone, "POST /signout": anyone, "POST /signout/everywhere": anyone, "POST /role": anyone,
		"GET /profile": anyone, "POST /profile": anyone, "GET /api/v1/me": anyone, "GET /api/v1/sections": anyone,
		"GET /api/v1/sections/{id}/roster": anyone,

		"GET /plan": {db.Teacher}, "GET /teach": {db.Teacher}, "GET /teach/sections/{id}": {db.Teacher},
		"GET /teach/sections/{id}/roster.csv": {db.Teacher},
		"GET /learn":                          {db.Student, db.Guardian},
		"GET /assess":                         {db.Teacher}, "GET /assess/sections/{id}": {db.Teacher},
		"GET /assess/sections/{id}/gradebook.csv": {db.Teacher}, "GET /teach/sections/{id}/grading": {db.Teacher},
		"POST /teach/sections/{id}/grading":  {db.Teacher},
		"GET /assess/sections/{id}/outcomes": {db.Teacher}, "GET /assess/sections/{id}/students/{student}": {db.Teacher},
		"POST /assess/sections/{id}/students/{student}/override":       {db.Teacher},
		"POST /assess/sections/{id}/students/{student}/override/clear": {db.Teacher},
		"GET /teach/sections/{id}/outcomes":                            {db.Teacher}, "POST /teach/sections/{id}/outcomes": {db.Teacher},
		"GET /teach/outcomes/{id}": {db.Teacher}, "POST /teach/outcomes/{id}": {db.Teacher},
		"GET /report": {db.DistrictAdmin, db.SchoolAdmin, db.Teacher},

		"POST /teach/sections/{id}/announcements": {db.Teacher}, "POST /teach/sections/{id}/groups": {db.Teacher},
		"GET /teach/sections/{id}/assignments/new": {db.Teacher}, "POST /teach/sections/{id}/assignments": {db.Teacher},
		"GET /teach/assignments/{id}": {db.Teacher}, "GET /teach/assignments/{id}/edit": {db.Teacher}, "POST /teach/assignments/{id}": {db.Teacher},
		"POST /teach/assignments/{id}/publish": {db.Teacher}, "POST /teach/assignments/{id}/overrides": {db.Teacher},
		"POST /teach/assignments/{id}/attachments": {db.Teacher},
		"GET /teach/assignments/{id}/grade":        {db.Teacher}, "GET /teach/assignments/{id}/grade/{student}": {db.Teacher},
		"POST /teach/assignments/{id}/grade/{student}": {db.Teacher}, "POST /teach/assignments/{id}/post": {db.Teacher},
		"GET /teach/rubrics": {db.Teacher}, "GET /teach/rubrics/new": {db.Teacher}, "POST /teach/rubrics": {db.Teacher},
		"GET /teach/rubrics/{id}": {db.Teacher}, "POST /teach/rubrics/{id}": {db.Teacher},
		"GET /teach/rubrics/{id}/delete": {db.Teacher}, "POST /teach/rubrics/{id}/delete": {db.Teacher},
		"GET /teach/assignments/{id}/delete": {db.Teacher}, "POST /teach/assignments/{id}/delete": {db.Teacher},
		"GET /teach/announcements/{id}/edit": {db.Teacher}, "POST /teach/announcements/{id}": {db.Teacher},
		"GET /teach/announcements/{id}/delete": {db.Teacher}, "POST /teach/announcements/{id}/delete": {db.Teacher},
		"GET /teach/groups/{id}/edit": {db.Teacher}, "POST /teach/groups/{id}": {db.Teacher},
		"GET /teach/groups/{id}/delete": {db.Teacher}, "POST /teach/groups/{id}/delete": {db.Teacher},
		"GET /learn/sections/{id}":    {db.Student, db.Guardian},
		"GET /learn/assignments/{id}": {db.Student}, "POST /learn/assignments/{id}/submissions": {db.Student},
		"POST /learn/assignments/{id}/upload":             {db.Student},
		"GET /files/{id}":                                 anyone,
		"GET /guardian/children/{child}/assignments/{id}": {db.Guardian},
		"GET /guardian/link":                              {db.Guardian}, "POST /guardian/link": {db.Guardian},
		"GET /guardian/alerts": {db.Guardian}, "POST /guardian/alerts": {db.Guardian},
		"GET /unsubscribe/{token}": public, "POST /unsubscribe/{token}": public,
		"GET /learn/pairing": {db.Student}, "POST /learn/pairing": {db.Student}, "POST /admin/users/{student}/pairing": admins,
		"GET /api/v1/sections/{id}/assignments": anyone, "GET /api/v1/assignments/{id}": anyone,
		"POST /api/v1/sections/{id}/assignments": {db.Teacher}, "POST /api/v1/assignments/{id}/publish": {db.Teacher},
		"GET /api/v1/assignments/{id}/work": {db.Teacher}, "PUT /api/v1/assignments/{id}/grades/{student}": {db.Teacher},
		"POST /api/v1/assignments/{id}/grades/post": {db.Teacher},
		"GET /api/v1/sections/{id}/grades":          anyone, "GET /api/v1/sections/{id}/grades/{student}": anyone,
		"GET /api/v1/assignments/{id}/my-work": {db.Student}, "POST /api/v1/assignments/{id}/submissions": {db.Student},
		"PUT /api/v1/assignments/{id}": {db.Teacher}, "GET /api/v1/assignments/{id}/overrides": {db.Teacher},
		"PUT /api/v1/assignments/{id}/overrides": {db.Teacher}, "GET /api/v1/assignments/{id}/attachments": anyone,
		"POST /api/v1/assignments/{id}/attachments": {db.Teacher}, "POST /api/v1/assignments/{id}/upload": {db.Student},
		"GET /api/v1/assignments/{id}/submissions/{student}": {db.Teacher},
		"GET /api/v1/sections/{id}/announcements":            anyone, "POST /api/v1/sections/{id}/announcements": {db.Teacher},
		"GET /api/v1/sections/{id}/groups": anyone, "POST /api/v1/sections/{id}/groups": {db.Teacher},
		"GET /api/v1/rubrics": {db.Teacher}, "POST /api/v1/rubrics": {db.Teacher}, "GET /api/v1/rubrics/{id}": anyone,
		"PUT /api/v1/rubrics/{id}": {db.Teacher}, "DELETE /api/v1/rubrics/{id}": {db.Teacher},
		"DELETE /api/v1/assignments/{id}": {db.Teacher},
		"PUT /api/v1/announcements/{id}":  {db.Teacher}, "DELETE /api/v1/announcements/{id}": {db.Teacher},
		"PUT /api/v1/groups/{id}": {db.Teacher}, "DELETE /api/v1/groups/{id}": {db.Teacher},

		"GET /admin/users": admins, "GET /admin/users/new": admins, "POST /admin/users": admins, "GET /admin/users/{id}": admins,
		"POST /admin/users/{id}/profile": admins, "POST /admin/users/{id}/status": admins, "POST /admin/users/{id}/reset": admins,
		"POST /admin/users/{id}/roles": admins, "POST /admin/users/{id}/roles/{mid}/delete": admins,
		"GET /admin/schools": admins, "GET /admin/schools/{id}": admins, "GET /admin/terms": admins, "POST /admin/terms": admins,
		"POST /admin/terms/{id}/delete": admins, "GET /admin/terms/{id}": admins, "POST /admin/terms/{id}": admins, "GET /admin/imports": admins, "POST /admin/imports": admins,
		"GET /admin/imports/{id}": admins, "POST /admin/imports/{id}/apply": admins, "POST /admin/imports/{id}/discard": admins,
		"GET /admin/imports/{id}/progress": admins, "GET /admin/imports/{id}/problems.csv": admins, "GET /admin/audit": admins,
		"GET /admin/flags":         {db.DistrictAdmin},
		"POST /admin/imports/sync": {db.DistrictAdmin}, "POST /admin/imports/sync/run": {db.DistrictAdmin},
		"GET /admin/health":   {db.DistrictAdmin},
		"GET /admin/outcomes": {db.DistrictAdmin}, "POST /admin/outcomes": {db.DistrictAdmin},
		"GET /admin/outcomes/{id}": {db.DistrictAdmin}, "POST /admin/outcomes/{id}": {db.DistrictAdmin},
		"POST /admin/outcomes/{id}/archive": {db.DistrictAdmin}, "POST /admin/outcomes/{id}/restore": {db.DistrictAdmin},
		"POST /teach/outcomes/{id}/archive": {db.Teacher}, "POST /teach/outcomes/{id}/restore": {db.Teacher},
		"GET /api/v1/outcomes": anyone, "GET /api/v1/outcomes/{id}": anyone, "POST /api/v1/outcomes": {db.DistrictAdmin},
		"POST /api/v1/sections/{id}/outcomes": {db.Teacher},
		"PUT /api/v1/outcomes/{id}":           {db.DistrictAdmin, db.Teacher}, "POST /api/v1/outcomes/{id}/archive": {db.DistrictAdmin, db.Teacher},
		"POST /api/v1/outcomes/{id}/restore": {db.DistrictAdmin, db.Teacher}, "GET /api/v1/outcomes/{id}/history": {db.DistrictAdmin, db.Teacher},
		"PUT /api/v1/assignments/{id}/outcomes/{outcome}": {db.Teacher}, "DELETE /api/v1/assignments/{id}/outcomes/{outcome}": {db.Teacher},
		"PUT /api/v1/rubrics/{id}/criteria/{index}/outcome": {db.Teacher}, "DELETE /api/v1/rubrics/{id}/criteria/{index}/outcome": {db.Teacher},
		"GET /api/v1/users": admins, "POST /api/v1/users": admins, "GET /api/v1/users/{id}": admins,
		"GET /api/v1/schools": admins, "GET /api/v1/terms": admins, "GET /api/v1/imports/{id}": admins,
		"POST /api/v1/imports": admins, "POST /admin/imports/name-order": admins, "POST /api/v1/imports/{id}/apply": admins, "POST /api/v1/imports/{id}/discard": admins,
	}
)

// Every route, for every role and for a signed-out visitor: allowed roles
// get past the permission check, others get 403, and signed-out visitors
// are sent to sign in (401 for the API).
func TestEveryRouteEnforcesItsPermission(t *testing.T) {
	d := newDistrict(t, "routes")
	const fakeID = "00000000-0000-4000-8000-000000000000"
	for _, rt := range d.srv.routes() {
		key := rt.Method + " " + rt.Pattern
		roles, ok := allowed[key]
		if !ok {
			t.Errorf("route %s has no expected roles in this test: decide who may use it and add it to the table", key)
			continue
		}
		path := strings.NewReplacer("{$}", "", "{file}", "app.css", "{token}", "not-a-token", "{id}", fakeID, "{mid}", fakeID, "{student}", fakeID, "{child}", fakeID, "{outcome}", fakeID, "{index}", "0").Replace(rt.Pattern)
		if roles == nil {
			if !rt.Tenant || rt.Action == "public" {
				continue // public: covered by the page tests
			}
			t.Errorf("%s is public in this table but needs %q", key, rt.Action)
			continue
		}
		// Signed out.
		res, _ := d.client().do(rt.Method, path, url.Values{}, nil)
		wantOut := http.StatusSeeOther
		if strings.HasPrefix(rt.Pattern, "/api/") {
			wantOut = http.StatusUnauthorized
		} else if rt.Method != "GET" {
			wantOut = http.StatusUnauthorized
		}
		if res.StatusCode != wantOut {
			t.Errorf("%s signed out: status %d, want %d", key, res.StatusCode, wantOut)
		}
		for _, role := range anyone {
			c, csrf := d.session(role)
			// A DELETE has no form body (Go reads none): its token is the header's.
			res, body := c.do(rt.Method, path, url.Values{"_csrf": {csrf}}, http.Header{"X-Csrf-Token": {csrf}})
			may := slices.Contains(roles, role)
			if may && (res.StatusCode == http.StatusForbidden || res.StatusCode == http.StatusUnauthorized) {
				t.Errorf("%s as %s: status %d, want access\n%s", key, role, res.StatusCode, snippet(body))
			}
			if !may && res.StatusCode != http.StatusForbidden {
				t.Errorf("%s as %s: status %d, want 403", key, role, res.StatusCode)
			}
		}
	}
}

// Unsafe requests without the session's CSRF token are refused, even from
// a signed-in user.
func TestUnsafeRequestsNeedTheCSRFToken(t *testing.T) {
	d := newDistrict(t, "csrf")
	c, _ := d.session(db.DistrictAdmin)
	res, _ := c.post("/profile", url.Values{"given_name": {"Mallory"}, "locale": {"en"}})
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("POST without token: %d, want 403", res.StatusCode)
	}
	res, _ = c.post("/profile", url.Values{"_csrf": {"forged"}, "given_name": {"Mallory"}, "locale": {"en"}})
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("POST with a wrong token: %d, want 403", res.StatusCode)
	}
	// A cross-site POST is refused before anything else looks at it.
	res, _ = c.do("POST", "/profile", url.Values{"given_name": {"Mallory"}}, http.Header{"Sec-Fetch-Site": {"cross-site"}})
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site POST: %d, want 403", res.StatusCode)
	}
}

func snippet(s string) string {
	if len(s) > 300 {
		return s[:300]
	}
	return s
}
