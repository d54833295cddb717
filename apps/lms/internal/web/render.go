package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/authz"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/people"
)

//go:embed templates assets
var embedded embed.FS

// pageNames are the pages handlers render; each is templates/pages/<name>.html.
// A missing or broken one stops the server at start.
var pageNames = []string{
	"error", "signin", "invitation", "forgot", "reset", "home_teacher", "home_student", "home_guardian", "home_admin",
	"home_none", "plan", "teach", "section", "learn", "assess", "gradebook", "report", "profile",
	"admin_users", "admin_user", "admin_user_new", "admin_schools", "admin_school", "admin_terms", "admin_term",
	"admin_imports", "admin_import", "admin_audit", "mailbox",
}

type pages struct {
	byName map[string]*template.Template
}

func loadPages() (*pages, error) {
	p := &pages{byName: map[string]*template.Template{}}
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(embedded,
			"templates/layout.html", "templates/partials/*.html", "templates/pages/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("page %s: %w", name, err)
		}
		if t.Lookup("content") == nil {
			return nil, fmt.Errorf("page %s defines no content block", name)
		}
		p.byName[name] = t
	}
	return p, nil
}

var funcs = template.FuncMap{
	// isoDate is a date as a date input wants it.
	"isoDate": func(t time.Time) string { return t.Format(time.DateOnly) },
	"date": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			return v.Format("Jan 2, 2006")
		case *time.Time:
			if v == nil {
				return "—"
			}
			return v.Format("Jan 2, 2006")
		}
		return ""
	},
	"datetime": func(t *time.Time) string {
		if t == nil {
			return "never"
		}
		return t.UTC().Format("Jan 2, 2006 15:04 UTC")
	},
	"join": strings.Join,
	"deref": func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	},
	"query": func(base string, kv ...string) string {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] != "" {
				v.Set(kv[i], kv[i+1])
			}
		}
		if len(v) == 0 {
			return base
		}
		return base + "?" + v.Encode()
	},
	"percent": func(n, total int) int {
		if total <= 0 {
			return 0
		}
		return n * 100 / total
	},
	"add": func(a, b int) int { return a + b },
	// dict builds the map the "empty" partial takes: dict "title" … "body" … "href" … "action" ….
	"dict": func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	},
	"roleLabel": func(r db.Role) string { return r.Label() },
}

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

type brand struct {
	SchoolName string
	Color      string // readable on white
	LogoURL    string
	Motto      string
}

type navItem struct {
	Label, Href string
	Active      bool
}

// navFor lists the sections a role may open, in the order teachers expect.
func navFor(role db.Role, path string) []navItem {
	items := []struct {
		label, href string
		action      authz.Action
	}{
		{"Home", "/", authz.Signed},
		{"Plan", "/plan", authz.ViewTeaching},
		{"Teach", "/teach", authz.ViewTeaching},
		{"Learn", "/learn", authz.ViewLearning},
		{"Assess", "/assess", authz.ViewGradebook},
		{"Report", "/report", authz.ViewReports},
		{"Admin", "/admin/users", authz.ViewUsers},
	}
	var out []navItem
	for _, it := range items {
		if !authz.Allowed(role, it.action) {
			continue
		}
		active := path == it.href || (it.href != "/" && strings.HasPrefix(path, it.href)) ||
			(it.label == "Admin" && strings.HasPrefix(path, "/admin"))
		out = append(out, navItem{Label: it.label, Href: it.href, Active: active})
	}
	return out
}

// render writes a page with status 200.
func (s *Server) render(c *call, name, title string, data any) {
	s.renderStatus(c, http.StatusOK, name, title, data)
}

func (s *Server) renderStatus(c *call, status int, name, title string, data any) {
	t, ok := s.pages.byName[name]
	if !ok {
		s.Log.Error("Unknown page", "page", name, "request_id", c.id)
		http.Error(c.w, "internal error", http.StatusInternalServerError)
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
	if c.school != nil {
		b := c.school.BrandingInfo()
		v.Brand = brand{SchoolName: c.school.Name, Color: readableColor(b.PrimaryColor), LogoURL: b.LogoURL, Motto: b.Motto}
	} else {
		v.Brand = brand{Color: readableColor("")}
	}
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

type errorPage struct {
	Status  int
	Heading string
	Message string
	SignIn  bool
}

// renderError shows a finished error page; API routes get problem+json.
func (s *Server) renderError(c *call, status int, heading, message string) {
	if c.route != nil && c.route.api != nil {
		s.problem(c, status, heading, message)
		return
	}
	s.renderStatus(c, status, "error", heading, errorPage{Status: status, Heading: heading, Message: message})
}

// fail logs the cause with the request id and shows the user only that id.
func (s *Server) fail(c *call, err error) {
	if errors.Is(err, db.ErrUnavailable) {
		s.unavailable(c)
		return
	}
	if errors.Is(err, domain.ErrNotFound) {
		s.notFound(c)
		return
	}
	if errors.Is(err, db.ErrForbidden) {
		s.forbidden(c)
		return
	}
	s.Log.Error("Request failed", "request_id", c.id, "route", c.route.Pattern, "err", err)
	s.renderError(c, http.StatusInternalServerError, "Something went wrong",
		"We could not finish this. Try again in a moment; if it keeps happening, give your school's IT team the request id below.")
}

func (s *Server) notFound(c *call) {
	s.renderError(c, http.StatusNotFound, "Page not found", "There is nothing here. Check the address, or go back to your home page.")
}

func (s *Server) forbidden(c *call) {
	s.renderError(c, http.StatusForbidden, "Not for your role",
		"Your role cannot open this page. If you hold another role, switch to it from the menu; otherwise go back to your home page.")
}

func (s *Server) unavailable(c *call) {
	c.w.Header().Set("Retry-After", "30")
	s.renderError(c, http.StatusServiceUnavailable, "This district is not available right now",
		"Bellwork cannot reach this district's data at the moment. Nothing is lost: try again in a few minutes.")
}

func (s *Server) needSignIn(c *call) {
	if c.route.api != nil {
		s.problem(c, http.StatusUnauthorized, "Sign-in required", "Sign in first, then call the API with the session cookie.")
		return
	}
	if c.r.Method == http.MethodGet {
		http.Redirect(c.w, c.r, "/signin?next="+url.QueryEscape(c.r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	s.renderStatus(c, http.StatusUnauthorized, "error", "Please sign in",
		errorPage{Status: http.StatusUnauthorized, Heading: "Please sign in", Message: "Your session has ended. Sign in again to continue.", SignIn: true})
}

// redirect sends the browser on after a form, with an optional flash code.
func redirect(c *call, path, done string) {
	if done != "" {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + "done=" + url.QueryEscape(done)
	}
	http.Redirect(c.w, c.r, path, http.StatusSeeOther)
}

// flashMessage maps a ?done= code to its sentence; unknown codes show nothing,
// so a link cannot put arbitrary text on a page.
func flashMessage(code string) string {
	return map[string]string{
		"signed-out-everywhere": "You are signed out on every other device.",
		"profile-saved":         "Your profile is saved.",
		"user-created":          "The user is created. They can sign in once they set a password from the invitation link.",
		"user-saved":            "Saved.",
		"user-deactivated":      "The user is deactivated and signed out everywhere.",
		"user-activated":        "The user can sign in again.",
		"reset-sent":            "A password reset link was e-mailed to the user.",
		"role-added":            "Role added.",
		"role-removed":          "Role removed.",
		"term-created":          "Term added.",
		"term-updated":          "Term saved.",
		"term-deleted":          "Term deleted.",
		"import-discarded":      "The import was discarded; nothing changed.",
		"password-set":          "Your password is set. Welcome to Bellwork!",
		"role-switched":         "Switched role.",
	}[code]
}

// readableColor returns the brand colour, darkened until white text on it
// has at least 4.5:1 contrast (WCAG AA); a default blue when unset or invalid.
func readableColor(hex string) string {
	r, g, b, ok := parseHex(hex)
	if !ok {
		r, g, b = 0x1d, 0x4e, 0xd8
	}
	for i := 0; i < 20 && contrastWithWhite(r, g, b) < 4.5; i++ {
		r, g, b = r*9/10, g*9/10, b*9/10
	}
	return fmt.Sprintf("#%02x%02x%02x", r, g, b)
}

func parseHex(s string) (r, g, b int, ok bool) {
	if len(s) != 7 || s[0] != '#' {
		return 0, 0, 0, false
	}
	v, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil {
		return 0, 0, 0, false
	}
	return int(v >> 16 & 0xff), int(v >> 8 & 0xff), int(v & 0xff), true
}

func contrastWithWhite(r, g, b int) float64 {
	lin := func(c int) float64 {
		v := float64(c) / 255
		if v <= 0.03928 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	l := 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
	return 1.05 / (l + 0.05)
}

func derefOr(s *string, def string) string {
	if s == nil {
		return def
	}
	return *s
}

// writeJSON writes v as JSON.
func writeJSON(c *call, status int, v any) {
	c.w.Header().Set("Content-Type", "application/json")
	c.w.Header().Set("Cache-Control", "no-store")
	c.w.WriteHeader(status)
	enc := json.NewEncoder(c.w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// problem writes an RFC 9457 problem document.
func (s *Server) problem(c *call, status int, title, detail string) {
	c.w.Header().Set("Content-Type", "application/problem+json")
	c.w.Header().Set("Cache-Control", "no-store")
	c.w.WriteHeader(status)
	_ = json.NewEncoder(c.w).Encode(map[string]any{
		"type": "about:blank", "title": title, "status": status, "detail": detail, "requestId": c.id,
	})
}

func subFS(dir string) fs.FS {
	sub, err := fs.Sub(embedded, dir)
	if err != nil {
		panic(err)
	}
	return sub
}
