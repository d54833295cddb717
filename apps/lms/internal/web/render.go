package web

import (
	"bytes"
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/people"
)

// view is what the layout and every page receive.
type view struct {
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
	Data        any
}

// render writes a page with status 200.
func (s *Server) render(c *call, name, title string, data any) {
	s.renderStatus(c, http.StatusOK, name, title, data)
}

// renderStatus writes one of the route's declared pages (routes.go). A
// page the route does not declare is a programming error: it is refused
// here, so every page a handler can show is checked at start.
func (s *Server) renderStatus(c *call, status int, name, title string, data any) {
	t, ok := s.pages.byName[name]
	if !ok || !c.route.renders(name) {
		s.Log.Error("Route renders a page it does not declare", "page", name, "route", c.route.key(), "request_id", c.id)
		http.Error(c.w, "Something went wrong showing this page. Request id: "+c.id, http.StatusInternalServerError)
		return
	}
	v := view{Title: title, Nonce: c.nonce, CSRF: c.csrf, RequestID: c.id, User: c.user, Role: c.role(),
		Memberships: c.memberships, Data: data, Flash: flashMessage(c.r.URL.Query().Get("done"))}
	if c.tenant != nil {
		v.District = c.tenant.Entry.DisplayName
	}
	if c.session != nil {
		v.Nav = navFor(c.session.Role, c.r.URL.Path)
		v.ActiveRole = string(c.session.Role) + "|" + derefOr(c.session.SchoolID, "")
	}
	v.Brand = brandOf(c.school)
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		s.Log.Error("Could not render page", "page", name, "request_id", c.id, "err", err)
		http.Error(c.w, "Something went wrong showing this page. Request id: "+c.id, http.StatusInternalServerError)
		return
	}
	c.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	c.w.Header().Set("Cache-Control", "no-store")
	c.w.WriteHeader(status)
	_, _ = buf.WriteTo(c.w)
}

func derefOr(s *string, def string) string {
	if s == nil {
		return def
	}
	return *s
}
