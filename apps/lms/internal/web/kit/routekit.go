package kit

import (
	"fmt"
	"slices"
	"strings"

	"bellwork.dev/bellwork/apps/lms/internal/authz"
)

// Route is one entry of the Route table. Build it with probe, static,
// page, action or api, never as a literal: the helper decides whether the
// Route needs a district and what it must declare.
type Route struct {
	Method  string
	Pattern string
	// Action is the one permission the route needs (authz.Public: none).
	Action authz.Action
	// Tenant routes resolve the district from the Host header first.
	Tenant bool
	Serve  func(c *Call)
	// html marks page routes, which must name at least one template.
	HTML bool
	// templates are the pages the handler may render besides the kit's
	// error page; they are parsed at start (pages.go).
	Templates []string
	// Service routes are called by the district's other services, not
	// browsers: no session or CSRF; the caller presents one of the
	// district's flag tokens (directory.Entry.FlagTokens) as a bearer token.
	Service bool
	// Stream marks upload routes: their multipart body is not parsed
	// before the handler, which streams it from Call.Multipart.
	Stream bool
	// api documents JSON API routes for the OpenAPI document; their errors
	// are problem+json.
	API *APIDoc
	// Link routes act on a signed token in their path (an e-mailed link)
	// without a session: their POST needs no CSRF token, because a mail
	// client's one-click POST (RFC 8058) has none, and the token is itself
	// the secret a forger would need.
	Link bool
	// Upload routes take bodies up to Config.MaxUpload; every other route
	// takes at most MaxFormBody. Either limit is installed before anything
	// reads the body (see Wrap).
	Upload bool
}

// MaxFormBody bounds the body of every route that is not an upload: a
// form or a JSON request.
const MaxFormBody = 1 << 20

// Uploads marks a route that takes file uploads (a larger body limit).
func (rt Route) Uploads() Route {
	rt.Upload = true
	return rt
}

// Streams marks an API route whose multipart body is streamed to the
// handler (StreamUpload), as Upload does for pages; its CSRF token comes in
// the X-CSRF-Token header.
func (rt Route) Streams() Route {
	rt.Stream = true
	return rt
}

// probe is a health or metrics endpoint: no district, no session.
func Probe(pattern string, h func(*Call)) Route {
	return newRoute(pattern, authz.Public, false, h)
}

// static serves the same bytes on every host: assets and the OpenAPI document.
func Static(pattern string, h func(*Call)) Route {
	return newRoute(pattern, authz.Public, false, h)
}

// page is a district route that renders HTML; it names every template its
// handler renders (a form POST names the page it shows again on invalid input).
func Page(pattern string, need authz.Action, h func(*Call), templates ...string) Route {
	rt := newRoute(pattern, need, true, h)
	rt.HTML, rt.Templates = true, templates
	return rt
}

// Upload is a page route whose form sends a file: the body is streamed to
// the handler (Call.Multipart), never parsed whole; its form must put the
// _csrf field first.
func Upload(pattern string, need authz.Action, h func(*Call), templates ...string) Route {
	rt := Page(pattern, need, h, templates...)
	rt.Stream = true
	return rt
}

// SignedLink is a public page route whose path carries a signed token
// (e-mailed one-click links); its handler must check the token before it
// acts. Its POST is exempt from the CSRF check.
func SignedLink(pattern string, h func(*Call), templates ...string) Route {
	rt := Page(pattern, authz.Public, h, templates...)
	rt.Link = true
	return rt
}

// action is a district route that shows no page of its own: a form POST
// that redirects, a download, a progress poll. Its errors still use the
// kit's error page.
func Action(pattern string, need authz.Action, h func(*Call)) Route {
	return newRoute(pattern, need, true, h)
}

// api is a JSON API route; doc names its request and response types.
func API(pattern string, need authz.Action, h func(*Call), doc *APIDoc) Route {
	rt := newRoute(pattern, need, true, h)
	rt.API = doc
	return rt
}

// Service is a district route for the district's other services: it reads
// no cookie, so it needs no CSRF token, and it answers 401 unless the
// caller presents one of the district's flag tokens ("Authorization:
// Bearer <token>" or "X-API-Key: <token>"). It does not need the
// district's database.
func Service(pattern string, h func(*Call)) Route {
	rt := newRoute(pattern, authz.Public, true, h)
	rt.Service = true
	return rt
}

func newRoute(pattern string, need authz.Action, tenant bool, h func(*Call)) Route {
	method, path, _ := strings.Cut(pattern, " ")
	return Route{Method: method, Pattern: path, Action: need, Tenant: tenant, Serve: h}
}

// key is the pattern as the ServeMux and metrics know it.
func (rt *Route) Key() string { return rt.Method + " " + rt.Pattern }

// renders reports whether the route may show the named page: its own
// templates, plus the kit pages every route may fall back to.
func (rt *Route) Renders(name string) bool {
	return slices.Contains(KitPages, name) || slices.Contains(rt.Templates, name)
}

// CheckTable rejects a table a helper could not: a malformed pattern, a
// page naming no template, an API route without its document.
func CheckTable(rs []Route) error {
	seen := map[string]bool{}
	for _, rt := range rs {
		if rt.Method == "" || !strings.HasPrefix(rt.Pattern, "/") {
			return fmt.Errorf("route %q: want \"METHOD /path\"", rt.Key())
		}
		if seen[rt.Key()] {
			return fmt.Errorf("route %s is listed twice", rt.Key())
		}
		seen[rt.Key()] = true
		if rt.Serve == nil {
			return fmt.Errorf("route %s has no handler", rt.Key())
		}
		if rt.HTML && len(rt.Templates) == 0 {
			return fmt.Errorf("page route %s names no template", rt.Key())
		}
		if rt.API != nil && (rt.API.Response == nil || rt.API.Summary == "") {
			return fmt.Errorf("API route %s needs a summary and a response type", rt.Key())
		}
	}
	return nil
}
