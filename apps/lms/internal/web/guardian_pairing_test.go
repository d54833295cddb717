package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/people"
)

var pairingCode = regexp.MustCompile(`data-pairing-code>([A-Z2-9]{4}-[A-Z2-9]{8})<`)

// makeCode posts to a pairing page and returns the code it shows once.
func makeCode(t *testing.T, c *client, path, csrf string) string {
	t.Helper()
	res, body := c.post(path, url.Values{"_csrf": {csrf}})
	mustStatus(t, "make a pairing code", res, body, 200)
	m := pairingCode.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no pairing code on the page:\n%s", snippet(body))
	}
	return m[1]
}

func (d *district) auditCount(action string) int {
	var n int
	err := d.db.InTx(context.Background(), db.SystemActor(), func(s *db.Scope) error {
		return s.Tx.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = $1`, action).Scan(&n)
	})
	if err != nil {
		d.t.Fatal(err)
	}
	return n
}

// A student makes a pairing code; a guardian with no children enters it
// wrongly (refused), then rightly (linked, audited, the child on the home
// page); the same code is then refused to another guardian as used, and an
// admin's code for the student links a third.
func TestPairingCodeLinksAGuardianOnce(t *testing.T) {
	d := newDistrict(t, "pairing")
	student, scsrf := d.session(db.Student)
	res, body := student.get("/learn/pairing")
	mustStatus(t, "pairing page", res, body, 200)
	mustContain(t, "pairing page", body, "Make a pairing code")
	code := makeCode(t, student, "/learn/pairing", scsrf)

	parent := d.newcomer(db.Guardian)
	pcsrf := parent.formToken("/guardian/link")
	res, body = parent.get("/")
	mustContain(t, "before linking", body, "No children linked yet")
	wrong := code[:5] + strings.Map(func(r rune) rune {
		if r == 'A' {
			return 'B'
		}
		return 'A'
	}, code[5:])
	res, body = parent.post("/guardian/link", url.Values{"_csrf": {pcsrf}, "code": {wrong}})
	mustStatus(t, "a wrong code", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "a wrong code", body, "That code is not right", `aria-invalid="true"`)
	res, body = parent.post("/guardian/link", url.Values{"_csrf": {pcsrf}, "code": {"nonsense"}})
	mustStatus(t, "a malformed code", res, body, http.StatusUnprocessableEntity)

	before := d.auditCount("guardian.link")
	res, body = parent.post("/guardian/link", url.Values{"_csrf": {pcsrf}, "code": {" " + strings.ToLower(code) + " "}})
	mustStatus(t, "the right code", res, body, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/?done=child-linked" {
		t.Errorf("after linking: Location %q", loc)
	}
	if got := d.auditCount("guardian.link"); got != before+1 {
		t.Errorf("audit entries for guardian.link: %d, want %d", got, before+1)
	}
	_, body = parent.get("/?done=child-linked")
	mustContain(t, "after linking", body, "Your account is linked to your child", "Student Test")

	g2, g2csrf := d.guardianNamed("second")
	res, body = g2.post("/guardian/link", url.Values{"_csrf": {g2csrf}, "code": {code}})
	mustStatus(t, "a used code", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "a used code", body, "already used")

	admin, acsrf := d.session(db.SchoolAdmin)
	adminCode := makeCode(t, admin, "/admin/users/"+d.users[db.Student].ID+"/pairing", acsrf)
	res, body = g2.post("/guardian/link", url.Values{"_csrf": {g2csrf}, "code": {adminCode}})
	mustStatus(t, "an admin's code", res, body, http.StatusSeeOther)
	_, body = g2.get("/")
	mustContain(t, "linked by an admin's code", body, "Student Test")
	if d.auditCount("guardian.pairing_code") != 2 {
		t.Errorf("pairing codes made are not audited")
	}
}

// A code past its expiry links nobody; five wrong secrets burn a code even
// for the right one afterwards; ten failed tries in an hour stop a
// guardian, whatever the code.
func TestPairingCodesExpireBurnAndThrottle(t *testing.T) {
	d := newDistrict(t, "pairlimits")
	student, scsrf := d.session(db.Student)
	realNow := d.srv.Kit.Now
	d.srv.Kit.Now = func() time.Time { return realNow().Add(-8 * 24 * time.Hour) }
	old := makeCode(t, student, "/learn/pairing", scsrf)
	d.srv.Kit.Now = realNow
	g, gcsrf := d.guardianNamed("late")
	res, body := g.post("/guardian/link", url.Values{"_csrf": {gcsrf}, "code": {old}})
	mustStatus(t, "an expired code", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "an expired code", body, "has expired")

	code := makeCode(t, student, "/learn/pairing", scsrf)
	for i := range 5 {
		guesser, csrf := d.guardianNamed("guesser" + string(rune('a'+i)))
		res, body = guesser.post("/guardian/link", url.Values{"_csrf": {csrf}, "code": {code[:5] + "22222222"}})
		mustStatus(t, "a wrong secret", res, body, http.StatusUnprocessableEntity)
	}
	res, body = g.post("/guardian/link", url.Values{"_csrf": {gcsrf}, "code": {code}})
	mustStatus(t, "a burned code", res, body, http.StatusUnprocessableEntity)
	mustContain(t, "a burned code", body, "too many times")

	fresh := makeCode(t, student, "/learn/pairing", scsrf)
	spammer, spcsrf := d.guardianNamed("spammer")
	for i := range 10 {
		res, body = spammer.post("/guardian/link", url.Values{"_csrf": {spcsrf}, "code": {"ZZZZ-2222222" + string(rune('2'+i%8))}})
		mustStatus(t, "a wrong code", res, body, http.StatusUnprocessableEntity)
	}
	res, body = spammer.post("/guardian/link", url.Values{"_csrf": {spcsrf}, "code": {fresh}})
	mustStatus(t, "the right code after ten wrong ones", res, body, http.StatusTooManyRequests)
	mustContain(t, "throttled", body, "Too many tries")
	res, body = g.post("/guardian/link", url.Values{"_csrf": {gcsrf}, "code": {fresh}})
	mustStatus(t, "another guardian is not throttled", res, body, http.StatusSeeOther)
}

// guardianNamed adds a guardian at school A and signs them in.
func (d *district) guardianNamed(name string) (*client, string) {
	var u *people.User
	err := d.db.InTx(context.Background(), db.SystemActor(), func(s *db.Scope) (err error) {
		u, err = people.CreateUser(context.Background(), s, people.NewUser{Email: name + ".guardian@" + d.host + ".org", GivenName: name, FamilyName: "Guardian"}, db.Guardian, d.schoolA)
		return err
	})
	if err != nil {
		d.t.Fatal(err)
	}
	return d.sessionFor(u, db.Guardian)
}
