package web

import (
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/app"
	"bellwork.dev/bellwork/apps/lms/internal/authz"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// tableWith is the real route table plus extra routes.
func tableWith(extra ...kit.Route) func(*Server) []kit.Route {
	return func(s *Server) []kit.Route { return append(s.routes(), extra...) }
}

func startWith(table func(*Server) []kit.Route) (*Server, error) {
	cfg := DefaultConfig()
	cfg.DevMailbox = true
	return newServer(&app.App{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, cfg, table)
}

// A route naming a template that does not exist stops the server at start,
// and the error says which route and which file.
func TestMissingTemplateFailsAtStart(t *testing.T) {
	noop := func(*kit.Call) {}
	_, err := startWith(tableWith(kit.Page("GET /gradebook/export", authz.ViewGradebook, noop, "gradebook_export")))
	if err == nil {
		t.Fatal("server started with a route naming a missing template")
	}
	for _, want := range []string{"GET /gradebook/export", `"gradebook_export"`, "templates/pages/gradebook_export.html"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

// Tables a helper would not build are refused at start too.
func TestMalformedRouteTablesFailAtStart(t *testing.T) {
	noop := func(*kit.Call) {}
	for name, extra := range map[string]kit.Route{
		"page without template": kit.Page("GET /empty", authz.Signed, noop),
		"duplicate":             kit.Page("GET /signin", authz.Public, noop, "signin"),
		"no method":             kit.Page("/nomethod", authz.Signed, noop, "signin"),
		"API without response":  kit.API("GET /api/v1/nothing", authz.Signed, noop, &kit.APIDoc{Summary: "Nothing"}),
	} {
		if _, err := startWith(tableWith(extra)); err == nil {
			t.Errorf("%s: server started", name)
		}
	}
	if _, err := startWith((*Server).routes); err != nil {
		t.Fatalf("the real table: %v", err)
	}
}

// Every page template is named by some route: a template no route renders
// is dead, or a route forgot to declare it.
func TestEveryTemplateBelongsToARoute(t *testing.T) {
	s, err := startWith((*Server).routes)
	if err != nil {
		t.Fatal(err)
	}
	files, err := fs.Glob(embedded, "templates/pages/*.html")
	if err != nil {
		t.Fatal(err)
	}
	loaded := s.Pages.Names()
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/pages/"), ".html")
		if !slices.Contains(loaded, name) {
			t.Errorf("%s is named by no route", f)
		}
	}
}

// A handler that renders a page its route does not declare gets a 500,
// not the page: the table is the list of what each route can show.
func TestRenderingAnUndeclaredPageIsRefused(t *testing.T) {
	var s *Server
	sneaky := func(c *kit.Call) { s.Render(c, "signin", "Sign in", nil) }
	s, err := startWith(tableWith(kit.Static("GET /sneaky", sneaky)))
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/sneaky", nil))
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "<form") {
		t.Fatalf("status %d, body %q", rec.Code, rec.Body.String())
	}
}
