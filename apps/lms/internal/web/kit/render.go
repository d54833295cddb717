package kit

import (
	"bytes"
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/features"
	"bellwork.dev/bellwork/apps/lms/internal/people"
)

// View is what the layout and every page receive.
type View struct {
	Title       string
	Nonce       string
	CSRF        string
	RequestID   string
	District    string
	Brand       brand
	User        *people.User
	Role        db.Role
	Memberships []people.Membership
	ActiveRole  string
	Nav         []navItem
	Flash       string
	// Features are the district's feature flags for this user:
	// {{if .Features.Enabled "key"}}.
	Features features.Features
	Data     any
}

// render writes a page with status 200.
func (s *Kit) Render(c *Call, name, title string, data any) {
	s.RenderStatus(c, http.StatusOK, name, title, data)
}

// RenderStatus writes one of the route's declared pages (routes.go). A
// page the route does not declare is a programming error: it is refused
// here, so every page a handler can show is checked at start.
func (s *Kit) RenderStatus(c *Call, status int, name, title string, data any) {
	t, ok := s.Pages.byName[name]
	if !ok || !c.Route.Renders(name) {
		s.Log.Error("Route renders a page it does not declare", "page", name, "route", c.Route.Key(), "request_id", c.ID)
		http.Error(c.W, "Something went wrong showing this page. Request id: "+c.ID, http.StatusInternalServerError)
		return
	}
	v := View{Title: title, Nonce: c.Nonce, CSRF: c.CSRF, RequestID: c.ID, User: c.User, Role: c.Role(),
		Memberships: c.Memberships, Data: data, Flash: flashMessage(c.R.URL.Query().Get("done")), Features: c.Features()}
	if c.Tenant != nil {
		v.District = c.Tenant.Entry.DisplayName
	}
	if c.Session != nil {
		v.Nav = navFor(c.Session.Role, c.R.URL.Path)
		v.ActiveRole = string(c.Session.Role) + "|" + DerefOr(c.Session.SchoolID, "")
	}
	v.Brand = brandOf(c.School)
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		s.Log.Error("Could not render page", "page", name, "request_id", c.ID, "err", err)
		http.Error(c.W, "Something went wrong showing this page. Request id: "+c.ID, http.StatusInternalServerError)
		return
	}
	c.W.Header().Set("Content-Type", "text/html; charset=utf-8")
	c.W.Header().Set("Cache-Control", "no-store")
	c.W.WriteHeader(status)
	_, _ = buf.WriteTo(c.W)
}

// DerefOr is *s, or def when s is nil.
func DerefOr(s *string, def string) string {
	if s == nil {
		return def
	}
	return *s
}
