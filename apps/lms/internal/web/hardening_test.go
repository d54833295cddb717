package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
	"bellwork.dev/bellwork/apps/lms/internal/imports"
	"bellwork.dev/bellwork/pkg/directory"
)

var signinError = regexp.MustCompile(`(?s)<p class="error"[^>]*>(.*?)</p>`)

// An attacker must not learn which addresses have accounts from the
// lockout: a made-up address answers every attempt exactly as a real
// account with a wrong password does, lock included.
func TestSignInLockAnswersTheSameForUnknownAddresses(t *testing.T) {
	d := newDistrict(t, "lockleak")
	answers := func(email string) []string {
		var out []string
		for i := 1; i <= identity.AccountMaxFailures+1; i++ {
			c := d.client()
			tok := c.formToken("/signin")
			res, body := c.post("/signin", url.Values{"_csrf": {tok}, "email": {email}, "password": {"wrong password"}})
			msg := ""
			if m := signinError.FindStringSubmatch(body); m != nil {
				msg = m[1]
			}
			out = append(out, fmt.Sprintf("%d %s", res.StatusCode, msg))
		}
		return out
	}
	known := answers("student@lockleak.localhost.org")
	unknown := answers("nobody-here@lockleak.localhost.org")
	if !strings.Contains(known[identity.AccountMaxFailures-1], "locked") {
		t.Fatalf("the real account was not locked: %q", known)
	}
	for i := range known {
		if known[i] != unknown[i] {
			t.Errorf("attempt %d: real account %q, unknown address %q", i+1, known[i], unknown[i])
		}
	}
}

// A ?next= with a tab after the slash is refused at sign-in: browsers strip
// the tab and would follow //evil.example off the site.
func TestSignInRedirectStaysOnTheSite(t *testing.T) {
	d := newDistrict(t, "nextcheck")
	for _, next := range []string{"/%09/evil.example", "/%5Cevil.example", "//evil.example", "/%0a/evil.example"} {
		c := d.client()
		tok := c.formToken("/signin")
		res, _ := c.post("/signin?next="+next, url.Values{"_csrf": {tok}, "email": {"teacher@nextcheck.localhost.org"}, "password": {testPassword}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
			t.Errorf("next=%s: %d to %q, want / ", next, res.StatusCode, res.Header.Get("Location"))
		}
	}
}

// uploadRaw posts a multipart body with the fields in the given order.
func (c *client) uploadRaw(path string, fields [][2]string, files map[string][]byte, header http.Header) (*http.Response, string) {
	c.d.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for name, data := range files {
		w, _ := mw.CreateFormFile("files", name)
		_, _ = w.Write(data)
	}
	for _, f := range fields {
		_ = mw.WriteField(f[0], f[1])
	}
	_ = mw.Close()
	req, _ := http.NewRequest("POST", c.d.http.URL+path, &buf)
	req.Host = c.d.host
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.d.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// The upload limit holds before anything reads the body: a body over the
// limit is refused whether its CSRF token comes first, last (so a check
// that parsed the whole form first would accept it) or in the header.
func TestUploadLimitHoldsBeforeTheBodyIsRead(t *testing.T) {
	d := newDistrict(t, "uploadlimit")
	d.srv.Kit.Config.MaxUpload = 1 << 20
	c, csrf := d.session(db.DistrictAdmin)
	big := map[string][]byte{"users.csv": bytes.Repeat([]byte("email,given_name,family_name,role,school_code\n"), (3<<20)/46)}
	cases := []struct {
		name   string
		fields [][2]string
		header http.Header
	}{
		{"token after the files", [][2]string{{"kind", "users_csv"}, {"_csrf", csrf}}, nil},
		{"token in the header", [][2]string{{"kind", "users_csv"}}, http.Header{"X-Csrf-Token": {csrf}}},
	}
	for _, tc := range cases {
		res, body := c.uploadRaw("/admin/imports", tc.fields, big, tc.header)
		if res.StatusCode != http.StatusRequestEntityTooLarge && res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want the upload refused as too large: %s", tc.name, res.StatusCode, snippet(body))
		}
	}
	// A form's body is bounded too, however small the route's own need.
	tok := c.formToken("/profile")
	res, _ := c.post("/profile", url.Values{"_csrf": {tok}, "given_name": {strings.Repeat("x", 2<<20)}})
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a 2 MB profile form: %d, want 413", res.StatusCode)
	}
}

// storedBytes is how many bytes of file data an import still keeps, in
// the database and in the file store.
func (d *district) storedBytes(id string) int {
	d.t.Helper()
	var n int
	err := d.db.InTx(context.Background(), db.SystemActor(), func(s *db.Scope) error {
		return s.Tx.QueryRow(context.Background(), `SELECT coalesce(sum(length(data)), 0) FROM import_files WHERE import_id = $1`, id).Scan(&n)
	})
	if err != nil {
		d.t.Fatal(err)
	}
	objects, err := d.srv.Config.Files.List(context.Background(), d.db.Tenant+"/imports/"+id+"/")
	if err != nil {
		d.t.Fatal(err)
	}
	for _, o := range objects {
		n += int(o.Size)
	}
	return n
}

// expire runs the import expiry job's work as if cutoff were FilesKeptFor ago.
func (d *district) expire(cutoff time.Time) {
	d.t.Helper()
	if err := imports.Expire(context.Background(), d.db, d.srv.Config.Files, cutoff); err != nil {
		d.t.Fatal(err)
	}
}

// A refused import keeps no file data, only the problem report and the
// file names; a discarded one drops its files at once; one left unapplied
// expires (by the expiry job's work). A previewed import's files
// are in the file store, not in the database.
func TestImportFilesAreNotKeptBeyondTheirUse(t *testing.T) {
	files := readFixture(t)
	d := newDistrict(t, "keepnothing", func(e *directory.Entry) {
		e.Schools = []directory.School{{Code: "255901001", Name: "Grand Bend High School", TimeZone: "America/Chicago"}}
	})
	c, csrf := d.session(db.DistrictAdmin)
	upload := func(files map[string][]byte) string {
		res, _ := c.upload(csrf, "oneroster", files)
		m := importLink.FindStringSubmatch(res.Header.Get("Location"))
		if m == nil {
			t.Fatalf("upload: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		return m[1]
	}
	bad := maps.Clone(files)
	bad["users.csv"] = bytes.Replace(bad["users.csv"], []byte(",student,"), []byte(",studnet,"), 1)
	refused := upload(bad)
	if n := d.storedBytes(refused); n != 0 {
		t.Errorf("a refused import keeps %d bytes of file data", n)
	}
	if _, page := c.get("/admin/imports/" + refused); !strings.Contains(page, "studnet") || !strings.Contains(page, "users.csv") {
		t.Errorf("the refused import lost its report: %s", snippet(page))
	}

	discarded := upload(files)
	if d.storedBytes(discarded) == 0 {
		t.Fatal("a previewed import keeps no files to apply")
	}
	var inDB int
	_ = d.db.InTx(context.Background(), db.SystemActor(), func(s *db.Scope) error {
		return s.Tx.QueryRow(context.Background(), `SELECT coalesce(sum(length(data)), 0) FROM import_files WHERE import_id = $1`, discarded).Scan(&inDB)
	})
	if inDB != 0 {
		t.Errorf("a previewed import keeps %d bytes in the database, not in the file store", inDB)
	}
	tok := c.formToken("/admin/imports/" + discarded)
	if res, _ := c.post("/admin/imports/"+discarded+"/discard", url.Values{"_csrf": {tok}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("discard: %d", res.StatusCode)
	}
	if n := d.storedBytes(discarded); n != 0 {
		t.Errorf("a discarded import keeps %d bytes", n)
	}

	waiting := upload(files)
	d.expire(time.Now().Add(-imports.FilesKeptFor))
	if d.storedBytes(waiting) == 0 {
		t.Fatal("an import waiting less than 7 days lost its files")
	}
	d.expire(time.Now().Add(time.Minute))
	if n := d.storedBytes(waiting); n != 0 {
		t.Errorf("an import waiting past its time keeps %d bytes", n)
	}
	if got := d.importStatus(waiting); got != imports.ImportDiscarded {
		t.Errorf("the expired import is %q, want discarded", got)
	}
}

func (d *district) importStatus(id string) string {
	d.t.Helper()
	var status string
	err := d.db.InTx(context.Background(), db.SystemActor(), func(s *db.Scope) error {
		return s.Tx.QueryRow(context.Background(), `SELECT status FROM imports WHERE id = $1`, id).Scan(&status)
	})
	if err != nil {
		d.t.Fatal(err)
	}
	return status
}
