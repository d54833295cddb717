package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/web/account"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
	"bellwork.dev/bellwork/pkg/directory"
)

func TestSignInSetsASafeSessionCookie(t *testing.T) {
	d := newDistrict(t, "signin")
	c := d.client()
	res := c.signIn("teacher@signin.localhost.org", testPassword)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("sign-in: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	var ck *http.Cookie
	for _, k := range res.Cookies() {
		if k.Name == kit.SessionCookie {
			ck = k
		}
	}
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Lax", ck)
	}
	if ck.Secure {
		t.Error("cookie is Secure on plain-HTTP localhost: browsers would drop it")
	}
	_, body := c.get("/")
	if !strings.Contains(body, "My sections") || !strings.Contains(body, "Algebra I - P1") {
		t.Fatalf("teacher home does not list the section:\n%s", snippet(body))
	}
}

func TestCookiesAreSecureOffLocalhost(t *testing.T) {
	d := newDistrict(t, "secure", func(e *directory.Entry) { e.Hosts = append(e.Hosts, "secure.bellwork.example") })
	c := d.client()
	req, _ := http.NewRequest("GET", d.http.URL+"/signin", nil)
	req.Host = "secure.bellwork.example"
	res, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for _, k := range res.Cookies() {
		if !k.Secure {
			t.Errorf("cookie %s is not Secure on a public host", k.Name)
		}
	}
	if len(res.Cookies()) == 0 {
		t.Fatal("no cookie set")
	}
}

func TestWrongPasswordsLockTheAccount(t *testing.T) {
	d := newDistrict(t, "lockout")
	email := "student@lockout.localhost.org"
	for i := 1; i <= identity.AccountMaxFailures; i++ {
		c := d.client()
		tok := c.formToken("/signin")
		res, body := c.post("/signin", url.Values{"_csrf": {tok}, "email": {email}, "password": {"wrong password"}})
		if i < identity.AccountMaxFailures && (res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "do not match")) {
			t.Fatalf("attempt %d: %d", i, res.StatusCode)
		}
		if i == identity.AccountMaxFailures && (res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "locked")) {
			t.Fatalf("attempt %d: %d, want the lockout message", i, res.StatusCode)
		}
	}
	// The right password does not open a locked account.
	res := d.client().signIn(email, testPassword)
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("right password on a locked account: %d", res.StatusCode)
	}
}

func TestManyFailuresFromOneAddressAreThrottled(t *testing.T) {
	d := newDistrict(t, "throttle")
	var last *http.Response
	var body string
	for i := 0; i < identity.AddressMaxFailures; i++ {
		c := d.client()
		tok := c.formToken("/signin")
		last, body = c.post("/signin", url.Values{"_csrf": {tok}, "email": {fmt.Sprintf("nobody%d@x.org", i)}, "password": {"guess"}})
	}
	if last.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "your network") {
		t.Fatalf("after %d failures: %d", identity.AddressMaxFailures, last.StatusCode)
	}
	// Even a right password from that address waits.
	if res := d.client().signIn("teacher@throttle.localhost.org", testPassword); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("right password from a throttled address: %d", res.StatusCode)
	}
}

func TestSignOutEverywhereEndsOtherSessions(t *testing.T) {
	d := newDistrict(t, "signout")
	laptop, csrf := d.session(db.Teacher)
	phone, _ := d.session(db.Teacher)
	if res, _ := phone.get("/"); res.StatusCode != http.StatusOK {
		t.Fatalf("phone home: %d", res.StatusCode)
	}
	res, _ := laptop.post("/signout/everywhere", url.Values{"_csrf": {csrf}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out everywhere: %d", res.StatusCode)
	}
	if res, _ := phone.get("/"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin") {
		t.Fatalf("phone after sign-out everywhere: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestIdleAndAbsoluteTimeoutsEndSessions(t *testing.T) {
	d := newDistrict(t, "timeouts")
	for name, expire := range map[string]func(*identity.Session, time.Time){
		"idle":     func(s *identity.Session, now time.Time) { s.IdleExpiresAt = now.Add(-time.Second) },
		"absolute": func(s *identity.Session, now time.Time) { s.AbsoluteExpiresAt = now.Add(-time.Second) },
	} {
		ctx := context.Background()
		token, hash := auth.NewToken()
		now := time.Now()
		sess := &identity.Session{IDSHA256: hash, UserID: d.users[db.Teacher].ID, Role: db.Teacher, SchoolID: &d.schoolA, CSRFToken: "x",
			CreatedAt: now.Add(-13 * time.Hour), IdleExpiresAt: now.Add(time.Hour), AbsoluteExpiresAt: now.Add(time.Hour)}
		expire(sess, now)
		if err := d.db.InTx(ctx, db.SystemActor(), func(s *db.Scope) error { return identity.CreateSession(ctx, s, sess, "", "") }); err != nil {
			t.Fatal(err)
		}
		c := d.client()
		base, _ := url.Parse("http://" + d.host + "/")
		c.jar.SetCookies(base, []*http.Cookie{{Name: kit.SessionCookie, Value: token, Path: "/"}})
		if res, _ := c.get("/"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("%s-expired session still works: %d", name, res.StatusCode)
		}
	}
	// The next sign-in clears expired sessions from the table.
	d.client().signIn("student@timeouts.localhost.org", testPassword)
	var left int
	err := d.db.InTx(context.Background(), db.SystemActor(), func(s *db.Scope) error {
		return s.Tx.QueryRow(context.Background(), "SELECT count(*) FROM sessions WHERE idle_expires_at <= now() OR absolute_expires_at <= now()").Scan(&left)
	})
	if err != nil || left != 0 {
		t.Errorf("%d expired sessions kept after a sign-in (%v)", left, err)
	}
}

var linkRE = regexp.MustCompile(`http://[^\s]+/password/reset/[A-Za-z0-9_-]+`)

func TestPasswordResetByEmailedLink(t *testing.T) {
	d := newDistrict(t, "reset")
	email := "guardian@reset.localhost.org"
	c := d.client()
	tok := c.formToken("/password/forgot")
	_, body := c.post("/password/forgot", url.Values{"_csrf": {tok}, "email": {email}})
	if !strings.Contains(body, "we have e-mailed it a link") {
		t.Fatalf("forgot page: %s", snippet(body))
	}
	// An unknown address gets the same answer and no mail.
	_, body2 := c.post("/password/forgot", url.Values{"_csrf": {tok}, "email": {"nobody@nowhere.org"}})
	if !strings.Contains(body2, "we have e-mailed it a link") {
		t.Fatal("unknown address answered differently")
	}
	msgs := d.mailbox.Messages("reset")
	if len(msgs) != 1 || msgs[0].To != email {
		t.Fatalf("mailbox: %+v", msgs)
	}
	// The development mailbox page shows it too.
	if _, page := c.get("/dev/mailbox"); !strings.Contains(page, "Reset your Bellwork password") {
		t.Fatal("mailbox page does not list the message")
	}
	link := linkRE.FindString(msgs[0].Body)
	u, _ := url.Parse(link)
	tok = c.formToken(u.Path)
	res, body := c.post(u.Path, url.Values{"_csrf": {tok}, "password": {"short"}, "confirm": {"short"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "at least 10") {
		t.Fatalf("short password: %d", res.StatusCode)
	}
	res, _ = c.post(u.Path, url.Values{"_csrf": {tok}, "password": {"a brand new password"}, "confirm": {"a brand new password"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: %d", res.StatusCode)
	}
	if res, _ := c.get(u.Path); res.StatusCode != http.StatusNotFound {
		t.Fatalf("reused link: %d, want 404", res.StatusCode)
	}
	if res := d.client().signIn(email, testPassword); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("old password still works: %d", res.StatusCode)
	}
	if res := d.client().signIn(email, "a brand new password"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("new password refused: %d", res.StatusCode)
	}
}

// The operator lists admins in the directory with a token hash; the LMS
// turns each into an invitation the link in the operator's Secret opens.
func TestDirectoryAdminInvitationSignsIn(t *testing.T) {
	token, hash := auth.NewToken()
	d := newDistrict(t, "invite", func(e *directory.Entry) {
		e.Admins = []directory.Admin{{Email: "super@invite.org", TokenSHA256: hash, ExpiresAt: time.Now().Add(time.Hour)}}
	})
	c := d.client()
	path := directory.InvitationPath + token
	res, body := c.get(path)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "super@invite.org") {
		t.Fatalf("invitation page: %d", res.StatusCode)
	}
	tok := csrfInput.FindStringSubmatch(body)[1]
	res, _ = c.post(path, url.Values{"_csrf": {tok}, "name": {"Sue Perintendent"}, "password": {"district admin pass"}, "confirm": {"district admin pass"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", res.StatusCode)
	}
	_, body = c.get("/")
	if !strings.Contains(body, "District overview") || !strings.Contains(body, "Getting started") {
		t.Fatalf("admin home: %s", snippet(body))
	}
	if res, _ := d.client().get(path); res.StatusCode != http.StatusNotFound {
		t.Fatalf("used invitation: %d, want 404", res.StatusCode)
	}
	// The milestones the operator reads back are recorded.
	var n int
	err := d.db.InTx(context.Background(), db.SystemActor(), func(s *db.Scope) error {
		return s.Tx.QueryRow(context.Background(), `SELECT count(*) FROM operator_status WHERE key IN ('milestone:AdminInvited','milestone:AdminSignedIn','milestone:SchoolsSynced','milestone:BrandingSet')`).Scan(&n)
	})
	if err != nil || n != 4 {
		t.Fatalf("milestones: %d, %v", n, err)
	}
}

// A session acts only in a role its user holds. Without any, the user is
// signed in with no role's permissions (and may still edit their profile);
// a role removed while signed in stops working at the next request, which
// falls back to a role the user still has.
func TestSessionsActOnlyInHeldRoles(t *testing.T) {
	d := newDistrict(t, "held")
	teacher := d.users[db.Teacher]
	var loner *people.User
	inSystem(t, d, func(s *db.Scope) (err error) {
		loner, err = people.CreateUser(context.Background(), s, people.NewUser{Email: "loner@held.org", GivenName: "Lone"}, "", "")
		if err == nil {
			var hash string
			if hash, err = auth.HashPassword(testPassword); err == nil {
				err = people.SetPassword(context.Background(), s, loner.ID, hash)
			}
		}
		return err
	})
	c := d.client()
	if res := c.signIn("loner@held.org", testPassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in without a role: %d", res.StatusCode)
	}
	if _, body := c.get("/"); !strings.Contains(body, "Your account has no role yet") {
		t.Fatalf("home without a role:\n%s", snippet(body))
	}
	for _, path := range []string{"/learn", "/teach", "/admin/users"} {
		if res, _ := c.get(path); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s without a role: %d, want 403", path, res.StatusCode)
		}
	}
	tok := c.formToken("/profile")
	if res, _ := c.post("/profile", url.Values{"_csrf": {tok}, "given_name": {"Lonely"}, "locale": {"en"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("profile without a role: %d", res.StatusCode)
	}

	// The teacher also guards a school; the teacher role goes while signed in.
	inSystem(t, d, func(s *db.Scope) error {
		_, err := s.Tx.Exec(context.Background(), "INSERT INTO memberships (user_id, role, school_id) VALUES ($1, 'guardian', $2)", teacher.ID, d.schoolA)
		return err
	})
	tc := d.client()
	tc.signIn(teacher.Email, testPassword)
	if res, _ := tc.get("/teach"); res.StatusCode != http.StatusOK {
		t.Fatalf("teacher: %d", res.StatusCode)
	}
	inSystem(t, d, func(s *db.Scope) error {
		_, err := s.Tx.Exec(context.Background(), "DELETE FROM memberships WHERE user_id = $1 AND role = 'teacher'", teacher.ID)
		return err
	})
	if res, _ := tc.get("/teach"); res.StatusCode != http.StatusForbidden {
		t.Errorf("removed teacher role still opens /teach: %d", res.StatusCode)
	}
	if res, _ := tc.get("/learn"); res.StatusCode != http.StatusOK {
		t.Errorf("the remaining guardian role does not work: %d", res.StatusCode)
	}
}

// The reset form cannot flood an inbox: a few links per account an hour,
// the rest quietly not sent (the page answers the same); and one network
// address is stopped after a bounded number of requests, with a sentence
// saying when to try again.
func TestPasswordResetRequestsAreLimited(t *testing.T) {
	d := newDistrict(t, "resetlimit")
	email := "guardian@resetlimit.localhost.org"
	c := d.client()
	tok := c.formToken("/password/forgot")
	for i := range account.ResetsPerAccount + 2 {
		res, body := c.post("/password/forgot", url.Values{"_csrf": {tok}, "email": {email}})
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "we have e-mailed it a link") {
			t.Fatalf("request %d: %d %s", i+1, res.StatusCode, snippet(body))
		}
	}
	if n := len(d.mailbox.Messages("resetlimit")); n != account.ResetsPerAccount {
		t.Fatalf("%d reset mails to one address, want %d", n, account.ResetsPerAccount)
	}
	var last *http.Response
	var body string
	for i := range account.ResetsPerAddress {
		last, body = c.post("/password/forgot", url.Values{"_csrf": {tok}, "email": {fmt.Sprintf("probe%d@resetlimit.org", i)}})
	}
	if last.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Too many password reset requests came from your network") {
		t.Fatalf("after %d requests from one address: %d %s", account.ResetsPerAddress+account.ResetsPerAccount+2, last.StatusCode, snippet(body))
	}
}
