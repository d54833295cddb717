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
)

// tableWith is the real route table plus extra routes.
func tableWith(extra ...route) func(*Server) []route {
	return func(s *Server) []route { return append(s.routes(), extra...) }
}

func startWith(table func(*Server) []route) (*Server, error) {
	cfg := DefaultConfig()
	cfg.DevMailbox = true
	return newServer(&app.App{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, cfg, table)
}

// A route naming a template that does not exist stops the server at start,
// and the error says which route and which file.
func TestMissingTemplateFailsAtStart(t *testing.T) {
	noop := func(*call) {}
	_, err := startWith(tableWith(page("GET /gradebook/export", authz.ViewGradebook, noop, "gradebook_export")))
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
	noop := func(*call) {}
	for name, extra := range map[string]route{
		"page without template": page("GET /empty", authz.Signed, noop),
		"duplicate":             page("GET /signin", authz.Public, noop, "signin"),
		"no method":             page("/nomethod", authz.Signed, noop, "signin"),
		"API without response":  api("GET /api/v1/nothing", authz.Signed, noop, &apiDoc{Summary: "Nothing"}),
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
	loaded := s.pages.names()
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
	sneaky := func(c *call) { s.render(c, "signin", "Sign in", nil) }
	s, err := startWith(tableWith(static("GET /sneaky", sneaky)))
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/sneaky", nil))
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "<form") {
		t.Fatalf("status %d, body %q", rec.Code, rec.Body.String())
	}
}
