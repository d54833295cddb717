package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/app"
	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
	"bellwork.dev/bellwork/apps/lms/internal/lmstest"
	"bellwork.dev/bellwork/apps/lms/internal/mail"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/schools"
	"bellwork.dev/bellwork/apps/lms/internal/storage"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
	"bellwork.dev/bellwork/pkg/directory"
)

func TestMain(m *testing.M) { lmstest.Main(m) }

// district is one tenant served by a real Server over HTTP, with a person
// in every role at school A.
type district struct {
	t       testing.TB
	srv     *Server
	http    *httptest.Server
	host    string
	db      *db.DB
	entry   *directory.Entry
	mailbox *mail.Mailbox
	schoolA string
	users   map[db.Role]*people.User
	section string
}

const testPassword = "correct horse battery"

func newDistrict(t testing.TB, name string, mutate ...func(*directory.Entry)) *district {
	t.Helper()
	ctx := context.Background()
	dbase := lmstest.TenantDB(t)
	host := name + ".localhost"
	entry := &directory.Entry{Version: 1, Tenant: name, DisplayName: "District " + name, Hosts: []string{host}, TimeZone: "America/Chicago",
		Database: dbase, Schools: []directory.School{{Code: "A", Name: "School A", TimeZone: "America/Chicago",
			Branding: directory.Branding{PrimaryColor: "#ffcc00"}}}}
	for _, m := range mutate {
		m(entry)
	}
	mb := &mail.Mailbox{}
	lms := newApp(t, mb)
	reg := lms.Registry
	reg.Replace([]*directory.Entry{entry})
	runCtx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	go reg.Run(runCtx)
	tt, _ := reg.Get(name)
	waitUntil(t, "tenant converged", func() bool { ok, _ := tt.State(); return ok })

	cfg := DefaultConfig()
	cfg.DevMailbox = true
	cfg.Files = storage.Folder(t.TempDir())
	srv, err := New(lms, cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	d, err := reg.DB(ctx, tt)
	if err != nil {
		t.Fatal(err)
	}
	dist := &district{t: t, srv: srv, http: hs, host: host, db: d, entry: entry, mailbox: mb, users: map[db.Role]*people.User{}}
	dist.seed()
	return dist
}

// seed adds one person per role at school A, a section taught by the
// teacher with the student in it, and the guardian linked to the student.
func (d *district) seed() {
	ctx := context.Background()
	hash, err := auth.HashPassword(testPassword)
	if err != nil {
		d.t.Fatal(err)
	}
	err = d.db.InTx(ctx, db.SystemActor(), func(s *db.Scope) error {
		school, err := schools.GetSchoolByCode(ctx, s, d.entry.Schools[0].Code)
		if err != nil {
			return err
		}
		d.schoolA = school.ID
		for _, role := range db.UserRoles {
			u, err := people.CreateUser(ctx, s, people.NewUser{Email: string(role) + "@" + d.host + ".org", GivenName: strings.ToUpper(string(role[:1])) + string(role[1:]), FamilyName: "Test"}, role, schoolOf(role, d.schoolA))
			if err != nil {
				return err
			}
			if err := people.SetPassword(ctx, s, u.ID, hash); err != nil {
				return err
			}
			d.users[role] = u
		}
		if err := people.LinkGuardian(ctx, s, d.users[db.Guardian].ID, d.users[db.Student].ID); err != nil {
			return err
		}
		var course string
		if err := s.Tx.QueryRow(ctx, `INSERT INTO courses (school_id, title) VALUES ($1, 'Algebra I') RETURNING id`, d.schoolA).Scan(&course); err != nil {
			return err
		}
		if err := s.Tx.QueryRow(ctx, `INSERT INTO sections (school_id, course_id, title, period) VALUES ($1, $2, 'Algebra I - P1', '1') RETURNING id`, d.schoolA, course).Scan(&d.section); err != nil {
			return err
		}
		for role, u := range map[string]*people.User{"teacher": d.users[db.Teacher], "student": d.users[db.Student]} {
			if _, err := s.Tx.Exec(ctx, `INSERT INTO enrollments (section_id, school_id, user_id, role) VALUES ($1, $2, $3, $4)`, d.section, d.schoolA, u.ID, role); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		d.t.Fatal(err)
	}
}

// session creates a session for a role directly in the database and
// returns a client carrying its cookie, and the CSRF token.
func (d *district) session(role db.Role) (*client, string) {
	return d.sessionFor(d.users[role], role)
}

// otherTeacher signs in a second teacher of school A, who teaches nothing.
func (d *district) otherTeacher() *client {
	var u *people.User
	err := d.db.InTx(context.Background(), db.SystemActor(), func(s *db.Scope) (err error) {
		u, err = people.CreateUser(context.Background(), s, people.NewUser{Email: "other.teacher@" + d.host + ".org", GivenName: "Other", FamilyName: "Teacher"}, db.Teacher, d.schoolA)
		return err
	})
	if err != nil {
		d.t.Fatal(err)
	}
	c, _ := d.sessionFor(u, db.Teacher)
	return c
}

func (d *district) sessionFor(u *people.User, role db.Role) (*client, string) {
	school := d.schoolA
	if role == db.DistrictAdmin {
		school = ""
	}
	return d.sessionAt(u, role, school)
}

// sessionAt signs a user in acting as role at a school ("" for none).
func (d *district) sessionAt(u *people.User, role db.Role, schoolID string) (*client, string) {
	ctx := context.Background()
	token, hash := auth.NewToken()
	csrf, _ := auth.NewToken()
	now := time.Now()
	var school *string
	if schoolID != "" {
		school = &schoolID
	}
	err := d.db.InTx(ctx, db.SystemActor(), func(s *db.Scope) error {
		return identity.CreateSession(ctx, s, &identity.Session{IDSHA256: hash, UserID: u.ID, Role: role, SchoolID: school, CSRFToken: csrf,
			CreatedAt: now, IdleExpiresAt: now.Add(time.Hour), AbsoluteExpiresAt: now.Add(2 * time.Hour)}, "test", "127.0.0.1")
	})
	if err != nil {
		d.t.Fatal(err)
	}
	c := d.client()
	base, _ := url.Parse("http://" + d.host + "/")
	c.jar.SetCookies(base, []*http.Cookie{{Name: kit.SessionCookie, Value: token, Path: "/"}})
	return c, csrf
}

// client is a browser-like HTTP client for the district's host.
type client struct {
	d   *district
	jar *cookiejar.Jar
	hc  *http.Client
}

func (d *district) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{d: d, jar: jar, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) do(method, path string, form url.Values, header http.Header) (*http.Response, string) {
	c.d.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.d.http.URL+path, body)
	if err != nil {
		c.d.t.Fatal(err)
	}
	req.Host = c.d.host
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
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

func (c *client) get(path string) (*http.Response, string) { return c.do("GET", path, nil, nil) }

func (c *client) post(path string, form url.Values) (*http.Response, string) {
	return c.do("POST", path, form, nil)
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// formToken fetches a page and returns the CSRF token its forms carry.
func (c *client) formToken(path string) string {
	c.d.t.Helper()
	_, body := c.get(path)
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		c.d.t.Fatalf("no CSRF token on %s", path)
	}
	return m[1]
}

// signIn signs in through the form, as a browser would.
func (c *client) signIn(email, password string) *http.Response {
	tok := c.formToken("/signin")
	res, _ := c.post("/signin", url.Values{"_csrf": {tok}, "email": {email}, "password": {password}})
	return res
}

func waitUntil(t testing.TB, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// schoolOf is where a seeded role sits: district admins nowhere.
func schoolOf(role db.Role, school string) string {
	if role == db.DistrictAdmin {
		return ""
	}
	return school
}

// newApp assembles a process as lms serve does (app.New), with nothing in
// the directory yet and nothing running in the background; it ends with
// the test.
func newApp(t testing.TB, mailer mail.Mailer) *app.App {
	t.Helper()
	life, cancel := context.WithCancel(context.Background())
	lms, err := app.New(life, app.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Mailer: mailer, PoolIdle: time.Minute, PoolMaxConns: 5})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); lms.Close() })
	return lms
}

// newcomer signs in a new user of school A in role who is in no section.
func (d *district) newcomer(role db.Role) *client {
	var u *people.User
	err := d.db.InTx(context.Background(), db.SystemActor(), func(s *db.Scope) (err error) {
		u, err = people.CreateUser(context.Background(), s, people.NewUser{Email: "new." + string(role) + "@" + d.host + ".org", GivenName: "New", FamilyName: "Comer"}, role, d.schoolA)
		return err
	})
	if err != nil {
		d.t.Fatal(err)
	}
	c, _ := d.sessionFor(u, role)
	return c
}

// emptySection adds a section the seeded teacher teaches with no student
// in it, and returns its id.
func (d *district) emptySection() string {
	ctx := context.Background()
	var id string
	err := d.db.InTx(ctx, db.SystemActor(), func(s *db.Scope) error {
		if err := s.Tx.QueryRow(ctx, `INSERT INTO sections (school_id, course_id, title, period)
			SELECT school_id, course_id, 'Algebra I - P2', '2' FROM sections WHERE id = $1 RETURNING id`, d.section).Scan(&id); err != nil {
			return err
		}
		_, err := s.Tx.Exec(ctx, `INSERT INTO enrollments (section_id, school_id, user_id, role) VALUES ($1, $2, $3, 'teacher')`, id, d.schoolA, d.users[db.Teacher].ID)
		return err
	})
	if err != nil {
		d.t.Fatal(err)
	}
	return id
}
