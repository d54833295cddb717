package web

import (
	"fmt"
	"slices"
	"strings"

	"bellwork.dev/bellwork/apps/lms/internal/authz"
)

// route is one entry of the route table. Build it with probe, static,
// page, action or api, never as a literal: the helper decides whether the
// route needs a district and what it must declare.
type route struct {
	Method  string
	Pattern string
	// Action is the one permission the route needs (authz.Public: none).
	Action authz.Action
	// Tenant routes resolve the district from the Host header first.
	Tenant bool
	serve  func(c *call)
	// html marks page routes, which must name at least one template.
	html bool
	// templates are the pages the handler may render besides the kit's
	// error page; they are parsed at start (pages.go).
	templates []string
	// api documents JSON API routes for the OpenAPI document; their errors
	// are problem+json.
	api *apiDoc
}

// probe is a health or metrics endpoint: no district, no session.
func probe(pattern string, h func(*call)) route {
	return newRoute(pattern, authz.Public, false, h)
}

// static serves the same bytes on every host: assets and the OpenAPI document.
func static(pattern string, h func(*call)) route {
	return newRoute(pattern, authz.Public, false, h)
}

// page is a district route that renders HTML; it names every template its
// handler renders (a form POST names the page it shows again on invalid input).
func page(pattern string, need authz.Action, h func(*call), templates ...string) route {
	rt := newRoute(pattern, need, true, h)
	rt.html, rt.templates = true, templates
	return rt
}

// action is a district route that shows no page of its own: a form POST
// that redirects, a download, a progress poll. Its errors still use the
// kit's error page.
func action(pattern string, need authz.Action, h func(*call)) route {
	return newRoute(pattern, need, true, h)
}

// api is a JSON API route; doc names its request and response types.
func api(pattern string, need authz.Action, h func(*call), doc *apiDoc) route {
	rt := newRoute(pattern, need, true, h)
	rt.api = doc
	return rt
}

func newRoute(pattern string, need authz.Action, tenant bool, h func(*call)) route {
	method, path, _ := strings.Cut(pattern, " ")
	return route{Method: method, Pattern: path, Action: need, Tenant: tenant, serve: h}
}

// key is the pattern as the ServeMux and metrics know it.
func (rt *route) key() string { return rt.Method + " " + rt.Pattern }

// renders reports whether the route may show the named page: its own
// templates, plus the kit pages every route may fall back to.
func (rt *route) renders(name string) bool {
	return slices.Contains(kitPages, name) || slices.Contains(rt.templates, name)
}

// checkTable rejects a table a helper could not: a malformed pattern, a
// page naming no template, an API route without its document.
func checkTable(rs []route) error {
	seen := map[string]bool{}
	for _, rt := range rs {
		if rt.Method == "" || !strings.HasPrefix(rt.Pattern, "/") {
			return fmt.Errorf("route %q: want \"METHOD /path\"", rt.key())
		}
		if seen[rt.key()] {
			return fmt.Errorf("route %s is listed twice", rt.key())
		}
		seen[rt.key()] = true
		if rt.serve == nil {
			return fmt.Errorf("route %s has no handler", rt.key())
		}
		if rt.html && len(rt.templates) == 0 {
			return fmt.Errorf("page route %s names no template", rt.key())
		}
		if rt.api != nil && (rt.api.Response == nil || rt.api.Summary == "") {
			return fmt.Errorf("API route %s needs a summary and a response type", rt.key())
		}
	}
	return nil
}
