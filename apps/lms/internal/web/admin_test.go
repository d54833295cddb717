package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/mail"
	"bellwork.dev/bellwork/apps/lms/internal/people"
)

var userLink = regexp.MustCompile(`/admin/users/([0-9a-f-]{36})`)

// An admin adds a teacher (who is e-mailed an invitation), finds them,
// renames them, gives and removes a role, and deactivates them; every step
// lands in the audit log, and the deactivated teacher cannot sign in.
func TestAdminManagesUsers(t *testing.T) {
	d := newDistrict(t, "admins")
	c, csrf := d.session(db.DistrictAdmin)
	res, _ := c.post("/admin/users", url.Values{"_csrf": {csrf}, "email": {"New.Teacher@Admins.org"}, "given_name": {"Nia"},
		"family_name": {"Teacher"}, "role": {"teacher"}, "school": {d.schoolA}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", res.StatusCode)
	}
	id := userLink.FindStringSubmatch(res.Header.Get("Location"))[1]
	if msgs := d.mailbox.Messages("admins"); len(msgs) != 1 || msgs[0].To != "new.teacher@admins.org" || !strings.Contains(msgs[0].Body, "/invitations/") {
		t.Fatalf("invitation mail: %+v", msgs)
	}
	// Duplicate e-mail: a clear message, nothing lost.
	res, body := c.post("/admin/users", url.Values{"_csrf": {csrf}, "email": {"new.teacher@admins.org"}, "given_name": {"Dup"}, "role": {"teacher"}, "school": {d.schoolA}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "already uses this e-mail") {
		t.Fatalf("duplicate: %d", res.StatusCode)
	}
	// Bad input: each says what to fix.
	for _, bad := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"email": {"not-an-address"}, "given_name": {"X"}, "role": {"teacher"}, "school": {d.schoolA}}, "valid e-mail"},
		{url.Values{"email": {"x@y.org"}, "given_name": {""}, "role": {"teacher"}, "school": {d.schoolA}}, "given name"},
		{url.Values{"email": {"x@y.org"}, "given_name": {"X"}, "role": {"wizard"}, "school": {d.schoolA}}, "Choose a role"},
		{url.Values{"email": {"x@y.org"}, "given_name": {"X"}, "role": {"teacher"}, "school": {""}}, "Choose the school"},
	} {
		bad.form.Set("_csrf", csrf)
		res, body := c.post("/admin/users", bad.form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, bad.want) {
			t.Errorf("bad form %v: %d, want a message with %q", bad.form, res.StatusCode, bad.want)
		}
	}
	_, body = c.get("/admin/users?q=nia&role=teacher")
	if !strings.Contains(body, "new.teacher@admins.org") || strings.Contains(body, "student@") {
		t.Fatalf("search: %s", snippet(body))
	}
	if res, _ := c.get("/admin/users?sort=email;drop%20table%20users"); res.StatusCode != http.StatusOK {
		t.Fatalf("unknown sort: %d", res.StatusCode)
	}
	if res, _ := c.post("/admin/users/"+id+"/profile", url.Values{"_csrf": {csrf}, "given_name": {"Nia"}, "family_name": {"Renamed"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("rename: %d", res.StatusCode)
	}
	if res, _ := c.post("/admin/users/"+id+"/roles", url.Values{"_csrf": {csrf}, "role": {"guardian"}, "school": {d.schoolA}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add role: %d", res.StatusCode)
	}
	var ms []people.Membership
	inSystem(t, d, func(s *db.Scope) (err error) {
		ms, err = people.ListMemberships(context.Background(), s, id)
		return err
	})
	if len(ms) != 2 {
		t.Fatalf("memberships: %+v", ms)
	}
	if res, _ := c.post("/admin/users/"+id+"/roles/"+ms[1].ID+"/delete", url.Values{"_csrf": {csrf}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove role: %d", res.StatusCode)
	}
	if res, _ := c.post("/admin/users/"+id+"/status", url.Values{"_csrf": {csrf}, "status": {"deactivated"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("deactivate: %d", res.StatusCode)
	}
	_, body = c.get("/admin/audit")
	for _, action := range []string{"user.create", "user.update", "user.role.add", "user.role.remove", "user.deactivated"} {
		if !strings.Contains(body, action) {
			t.Errorf("audit log lacks %s", action)
		}
	}
	// A deactivated teacher's sessions stop working.
	teacher, _ := d.session(db.Teacher)
	if res, _ := c.post("/admin/users/"+d.users[db.Teacher].ID+"/status", url.Values{"_csrf": {csrf}, "status": {"deactivated"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatal("deactivate teacher")
	}
	if res, _ := teacher.get("/"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("deactivated teacher still signed in: %d", res.StatusCode)
	}
	// Admins cannot lock themselves out.
	res, body = c.post("/admin/users/"+d.users[db.DistrictAdmin].ID+"/status", url.Values{"_csrf": {csrf}, "status": {"deactivated"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "cannot deactivate yourself") {
		t.Fatalf("self-deactivation: %d", res.StatusCode)
	}
}

// A school admin adds teachers to their school, but cannot see or make
// district admins.
func TestSchoolAdminStaysInTheirSchool(t *testing.T) {
	d := newDistrict(t, "schooladmin")
	c, csrf := d.session(db.SchoolAdmin)
	res, body := c.post("/admin/users", url.Values{"_csrf": {csrf}, "email": {"t2@x.org"}, "given_name": {"Tia"}, "role": {"teacher"}, "school": {d.schoolA}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("school admin adding a teacher: %d %s", res.StatusCode, snippet(body))
	}
	res, body = c.post("/admin/users", url.Values{"_csrf": {csrf}, "email": {"boss@x.org"}, "given_name": {"Boss"}, "role": {"district_admin"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Choose a role") {
		t.Fatalf("school admin made a district admin: %d", res.StatusCode)
	}
	if res, _ := c.get("/admin/users/" + d.users[db.DistrictAdmin].ID); res.StatusCode != http.StatusNotFound {
		t.Fatalf("school admin opened a district admin: %d", res.StatusCode)
	}
}

func TestTermsAreValidated(t *testing.T) {
	d := newDistrict(t, "terms")
	c, csrf := d.session(db.DistrictAdmin)
	res, body := c.post("/admin/terms", url.Values{"_csrf": {csrf}, "school": {d.schoolA}, "name": {"Spring"}, "starts_on": {"2027-05-01"}, "ends_on": {"2027-01-01"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "must end on or after") {
		t.Fatalf("backwards term: %d", res.StatusCode)
	}
	res, _ = c.post("/admin/terms", url.Values{"_csrf": {csrf}, "school": {d.schoolA}, "name": {"Spring 2027"}, "starts_on": {"2027-01-05"}, "ends_on": {"2027-05-28"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create term: %d", res.StatusCode)
	}
	_, body = c.get("/admin/terms")
	if !strings.Contains(body, "Spring 2027") {
		t.Fatal("term not listed")
	}
	// The term's page edits it, with the same checks.
	id := termLink.FindStringSubmatch(body)
	if id == nil {
		t.Fatal("no link to edit the term")
	}
	if res, page := c.get("/admin/terms/" + id[1]); res.StatusCode != http.StatusOK || !strings.Contains(page, `value="2027-01-05"`) {
		t.Fatalf("term page: %d\n%s", res.StatusCode, snippet(page))
	}
	res, body = c.post("/admin/terms/"+id[1], url.Values{"_csrf": {csrf}, "name": {"Spring 2027"}, "starts_on": {"2027-06-01"}, "ends_on": {"2027-05-28"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "must end on or after") {
		t.Fatalf("backwards edit: %d", res.StatusCode)
	}
	res, _ = c.post("/admin/terms/"+id[1], url.Values{"_csrf": {csrf}, "name": {"Spring semester 2027"}, "starts_on": {"2027-01-11"}, "ends_on": {"2027-06-04"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit term: %d", res.StatusCode)
	}
	if _, body := c.get("/admin/terms"); !strings.Contains(body, "Spring semester 2027") || !strings.Contains(body, "Jun 4, 2027") {
		t.Fatal("edited term not listed with its new name and end")
	}
	// Another school's admin cannot find it.
	var otherSchool string
	inSystem(t, d, func(s *db.Scope) error {
		return s.Tx.QueryRow(context.Background(), "INSERT INTO schools (code, name, time_zone) VALUES ('B', 'School B', 'UTC') RETURNING id").Scan(&otherSchool)
	})
	var stranger *people.User
	inSystem(t, d, func(s *db.Scope) (err error) {
		stranger, err = people.CreateUser(context.Background(), s, people.NewUser{Email: "sadmin.b@terms.org", GivenName: "B"}, db.SchoolAdmin, otherSchool)
		return err
	})
	other, _ := d.sessionAt(stranger, db.SchoolAdmin, otherSchool)
	if res, _ := other.get("/admin/terms/" + id[1]); res.StatusCode != http.StatusNotFound {
		t.Errorf("another school's admin opened the term: %d", res.StatusCode)
	}
}

var termLink = regexp.MustCompile(`/admin/terms/([0-9a-f-]{36})"`)

func inSystem(t *testing.T, d *district, fn func(s *db.Scope) error) {
	t.Helper()
	if err := d.db.InTx(context.Background(), db.SystemActor(), fn); err != nil {
		t.Fatal(err)
	}
}

// A district admin who also teaches at the school shows on the school
// admin's pages, read-only: every change is refused with a sentence saying
// who manages the account, and nothing changes.
func TestSchoolAdminLeavesSharedAccountsAlone(t *testing.T) {
	d := newDistrict(t, "shared")
	boss := d.users[db.DistrictAdmin]
	inSystem(t, d, func(s *db.Scope) error {
		_, err := s.Tx.Exec(context.Background(), "INSERT INTO memberships (user_id, role, school_id) VALUES ($1, 'teacher', $2)", boss.ID, d.schoolA)
		return err
	})
	c, csrf := d.session(db.SchoolAdmin)
	res, body := c.get("/admin/users/" + boss.ID)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "a district admin manages their account") || strings.Contains(body, `/status"`) {
		t.Fatalf("school admin's view of a shared account: %d\n%s", res.StatusCode, snippet(body))
	}
	for _, post := range []struct {
		path string
		form url.Values
	}{
		{"/status", url.Values{"status": {"deactivated"}}},
		{"/profile", url.Values{"given_name": {"Renamed"}}},
		{"/reset", url.Values{}},
	} {
		post.form.Set("_csrf", csrf)
		res, body := c.post("/admin/users/"+boss.ID+post.path, post.form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "managed by a district admin") {
			t.Errorf("POST %s on a shared account: %d\n%s", post.path, res.StatusCode, snippet(body))
		}
	}
	inSystem(t, d, func(s *db.Scope) error {
		u, err := people.GetUser(context.Background(), s, boss.ID)
		if err == nil && (u.Status != "active" || u.GivenName != boss.GivenName) {
			t.Errorf("the shared account changed: %s %q", u.Status, u.GivenName)
		}
		return err
	})
}

// The admin hears "sent" only when the reset link was e-mailed; when mail
// cannot go out the page says why and no reset is kept.
func TestAdminResetSaysWhenMailFails(t *testing.T) {
	d := newDistrict(t, "resetfail")
	d.srv.Mailer = mail.Discard{}
	c, csrf := d.session(db.DistrictAdmin)
	teacher := d.users[db.Teacher]
	res, body := c.post("/admin/users/"+teacher.ID+"/reset", url.Values{"_csrf": {csrf}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "no reset link was sent") {
		t.Fatalf("reset without mail: %d\n%s", res.StatusCode, snippet(body))
	}
	inSystem(t, d, func(s *db.Scope) error {
		var n int
		err := s.Tx.QueryRow(context.Background(), "SELECT count(*) FROM password_resets WHERE user_id = $1", teacher.ID).Scan(&n)
		if err == nil && n != 0 {
			t.Errorf("%d reset tokens kept although nothing was sent", n)
		}
		return err
	})
}
