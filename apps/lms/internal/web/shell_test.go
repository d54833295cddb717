package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/db"
)

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

var (
	inlineScript  = regexp.MustCompile(`<script(?:\s[^>]*)?>`)
	styleAttr     = regexp.MustCompile(`\sstyle=`)
	eventHandler  = regexp.MustCompile(`\son[a-z]+=`)
	nonceInHeader = regexp.MustCompile(`'nonce-([A-Za-z0-9_-]+)'`)
)

// Every role's pages carry a strict CSP whose nonce matches the page, no
// inline scripts, style attributes or event handlers, a skip link and
// landmarks, and the school's branding.
func TestPagesAreStrictAndAccessible(t *testing.T) {
	d := newDistrict(t, "shell")
	pages := map[db.Role][]string{
		db.DistrictAdmin: {"/", "/admin/users", "/admin/users/new", "/admin/schools", "/admin/terms", "/admin/imports", "/admin/audit", "/admin/health", "/report", "/profile"},
		db.SchoolAdmin:   {"/", "/admin/users"},
		db.Teacher:       {"/", "/plan", "/teach", "/teach/sections/" + d.section, "/assess", "/assess/sections/" + d.section, "/report"},
		db.Student:       {"/", "/learn"},
		db.Guardian:      {"/", "/learn"},
	}
	check := func(who, path string, res *http.Response, body string) {
		csp := res.Header.Get("Content-Security-Policy")
		m := nonceInHeader.FindStringSubmatch(csp)
		if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") || m == nil {
			t.Errorf("%s %s: CSP %q", who, path, csp)
			return
		}
		for _, tag := range inlineScript.FindAllString(body, -1) {
			if !strings.Contains(tag, `src="/assets/`) {
				t.Errorf("%s %s: inline script %s", who, path, tag)
			}
		}
		if styleAttr.MatchString(body) || eventHandler.MatchString(body) {
			t.Errorf("%s %s: inline style or event handler", who, path)
		}
		if !strings.Contains(body, `<style nonce="`+m[1]+`">`) {
			t.Errorf("%s %s: the brand style does not carry the response's nonce", who, path)
		}
		for _, want := range []string{`class="skip" href="#main"`, `<main id="main"`, `<header`, `lang="en"`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s %s: missing %s", who, path, want)
			}
		}
		if res.Header.Get("X-Frame-Options") != "DENY" || res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Referrer-Policy") == "" {
			t.Errorf("%s %s: security headers %v", who, path, res.Header)
		}
	}
	res, body := d.client().get("/signin")
	check("visitor", "/signin", res, body)
	for role, paths := range pages {
		c, _ := d.session(role)
		for _, p := range paths {
			res, body := c.get(p)
			if res.StatusCode != http.StatusOK {
				t.Errorf("%s %s: %d", role, p, res.StatusCode)
				continue
			}
			check(string(role), p, res, body)
			if !strings.Contains(body, "School A") {
				t.Errorf("%s %s: the school's name is not shown", role, p)
			}
		}
	}
	// The yellow brand colour is darkened until white text on it is readable.
	_, body = d.client().get("/signin")
	if strings.Contains(body, "--brand: #ffcc00") {
		t.Error("unreadable brand colour used as is")
	}
}

// Errors show the request id and a sentence, never the cause.
func TestErrorPagesShowARequestID(t *testing.T) {
	d := newDistrict(t, "errors")
	c, _ := d.session(db.Teacher)
	res, body := c.get("/teach/sections/not-a-uuid")
	if res.StatusCode != http.StatusNotFound || !strings.Contains(body, res.Header.Get("X-Request-Id")) || strings.Contains(body, "22P02") {
		t.Fatalf("bad id: %d", res.StatusCode)
	}
	res, body = c.get("/no/such/page")
	if res.StatusCode != http.StatusNotFound || !strings.Contains(body, "Page not found") {
		t.Fatalf("unknown page: %d", res.StatusCode)
	}
}

// The probes answer on the probe listener only: on the tenant listener,
// which anyone reaches, they are the district's 404 page and do not list
// the districts.
func TestHealthReadyAndMetrics(t *testing.T) {
	d := newDistrict(t, "probes")
	probes := httptest.NewServer(d.srv.ProbeHandler())
	defer probes.Close()
	get := func(path string) (int, string) {
		t.Helper()
		res, err := http.Get(probes.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": `"tenant":"probes"`} {
		if status, body := get(path); status != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("probe listener %s: %d %s", path, status, body)
		}
		res, body := d.client().get(path)
		if res.StatusCode != http.StatusNotFound || strings.Contains(body, `"tenant"`) || strings.Contains(body, "lms_") {
			t.Errorf("tenant listener %s: %d, want the 404 page\n%s", path, res.StatusCode, snippet(body))
		}
	}
	if res, body := d.client().get("/metrics"); res.StatusCode != http.StatusNotFound || strings.Contains(body, "lms_tenants") {
		t.Errorf("tenant listener /metrics: %d, want the 404 page", res.StatusCode)
	}
	if status, _ := get("/signin"); status != http.StatusNotFound {
		t.Errorf("probe listener /signin: %d, want 404 (it serves no district)", status)
	}
	d.client().get("/signin")
	_, body := get("/metrics")
	for _, want := range []string{`lms_http_requests_total{route="GET /signin",status="200",tenant="probes"}`, `lms_http_request_duration_seconds_count{route="GET /signin",tenant="probes"}`, `lms_db_pool_connections{state="total",tenant="probes"}`, `lms_tenants{ready="true"} 1`} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// The OpenAPI document lists exactly the API routes, each with a response
// schema that exists; the API answers errors as problem+json.
func TestOpenAPIDocumentMatchesTheRoutes(t *testing.T) {
	d := newDistrict(t, "openapi")
	_, body := d.client().get("/api/v1/openapi.json")
	var doc struct {
		OpenAPI    string                               `json:"openapi"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct{ Schemas map[string]any }     `json:"components"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil || doc.OpenAPI != "3.1.0" {
		t.Fatalf("document: %v %q", err, doc.OpenAPI)
	}
	n := 0
	for _, rt := range d.srv.routes() {
		if rt.API == nil {
			continue
		}
		n++
		op, ok := doc.Paths[rt.Pattern][strings.ToLower(rt.Method)]
		if !ok {
			t.Errorf("%s %s missing from the document", rt.Method, rt.Pattern)
			continue
		}
		if name := componentName(reflect.TypeOf(rt.API.Response)); doc.Components.Schemas[name] == nil {
			t.Errorf("%s %s: schema %s not defined", rt.Method, rt.Pattern, name)
		}
		if op["operationId"] == "" {
			t.Errorf("%s %s: no operationId", rt.Method, rt.Pattern)
		}
	}
	if n < 9 {
		t.Fatalf("only %d API routes", n)
	}
	c, csrf := d.session(db.DistrictAdmin)
	res, body := c.do("POST", "/api/v1/users", nil, http.Header{"X-Csrf-Token": {csrf}, "Content-Type": {"application/json"}})
	if res.StatusCode != http.StatusBadRequest || res.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(body, "requestId") {
		t.Fatalf("empty body: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	req := `{"email":"api@openapi.org","givenName":"Api","familyName":"User","role":"teacher","schoolId":"` + d.schoolA + `"}`
	res, body = c.doBody("POST", "/api/v1/users", req, http.Header{"X-Csrf-Token": {csrf}, "Content-Type": {"application/json"}})
	if res.StatusCode != http.StatusCreated || !strings.Contains(body, "invitationURL") {
		t.Fatalf("create via API: %d %s", res.StatusCode, body)
	}
	res, body = c.get("/api/v1/users?role=teacher&sort=email")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "api@openapi.org") {
		t.Fatalf("list via API: %d", res.StatusCode)
	}
	if res, _ := c.get("/api/v1/users?sort=password_hash"); res.StatusCode != http.StatusBadRequest {
		t.Fatalf("sort by an unlisted column: %d", res.StatusCode)
	}
}

func (c *client) doBody(method, path, body string, header http.Header) (*http.Response, string) {
	c.d.t.Helper()
	req, _ := http.NewRequest(method, c.d.http.URL+path, strings.NewReader(body))
	req.Host = c.d.host
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.d.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res, string(data)
}
