package web

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/web/admin"
	"bellwork.dev/bellwork/internal/dev/fixtures"
	"bellwork.dev/bellwork/pkg/directory"
)

// upload posts files as a browser's multipart form would.
func (c *client) upload(csrf, kind string, files map[string][]byte) (*http.Response, string) {
	c.d.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("_csrf", csrf)
	_ = mw.WriteField("kind", kind)
	for name, data := range files {
		w, _ := mw.CreateFormFile("files", name)
		_, _ = w.Write(data)
	}
	_ = mw.Close()
	req, _ := http.NewRequest("POST", c.d.http.URL+"/admin/imports", &buf)
	req.Host = c.d.host
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := c.hc.Do(req)
	if err != nil {
		c.d.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func readFixture(t *testing.T) map[string][]byte {
	t.Helper()
	edfi := fixtures.Path(t, "oneroster/edfi-1.1")
	paths, _ := filepath.Glob(filepath.Join(edfi, "*.csv"))
	if len(paths) == 0 {
		t.Fatalf("no CSV files in %s", edfi)
	}
	files := map[string][]byte{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(p)] = data
	}
	return files
}

var importLink = regexp.MustCompile(`^/admin/imports/([0-9a-f-]{36})$`)

// The admin uploads the Ed-Fi OneRoster bundle, sees a dry-run preview,
// applies it as a background job whose progress the page polls, and then
// sees the people. Uploading the same files again changes nothing.
func TestOneRosterImportPreviewApplyAndReimport(t *testing.T) {
	files := readFixture(t)
	d := newDistrict(t, "import", func(e *directory.Entry) {
		e.Schools = []directory.School{{Code: "255901001", Name: "Grand Bend High School", TimeZone: "America/Chicago"}}
	})
	c, csrf := d.session(db.DistrictAdmin)
	res, _ := c.upload(csrf, "oneroster", files)
	m := importLink.FindStringSubmatch(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("upload: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	id := m[1]
	_, page := c.get("/admin/imports/" + id)
	if !strings.Contains(page, "What this import will do") || !strings.Contains(page, "Apply this import") {
		t.Fatalf("preview: %s", snippet(page))
	}
	// Nothing changed yet.
	if _, body := c.get("/admin/users?q=archer"); strings.Contains(body, "Mary Archer") {
		t.Fatal("the preview already created users")
	}
	tok := csrfInput.FindStringSubmatch(page)[1]
	if res, _ := c.post("/admin/imports/"+id+"/apply", map[string][]string{"_csrf": {tok}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply: %d", res.StatusCode)
	}
	var p admin.ImportProgress
	waitUntil(t, "import applied", func() bool {
		_, body := c.get("/admin/imports/" + id + "/progress")
		_ = json.Unmarshal([]byte(body), &p)
		return p.Done
	})
	if p.Status != "applied" || p.Percent != 100 || p.Total == 0 {
		t.Fatalf("progress at the end: %+v", p)
	}
	if _, body := c.get("/admin/users?q=archer"); !strings.Contains(body, "Mary Archer") {
		t.Fatal("imported student not listed")
	}
	if _, body := c.get("/admin/users?role=teacher"); !strings.Contains(body, "Sara") {
		t.Fatal("imported teacher not listed")
	}
	// Same files again: nothing to apply.
	res, _ = c.upload(csrf, "oneroster", files)
	id2 := importLink.FindStringSubmatch(res.Header.Get("Location"))[1]
	if _, page := c.get("/admin/imports/" + id2); !strings.Contains(page, "already in Bellwork") || strings.Contains(page, "Apply this import") {
		t.Fatalf("re-import preview offers changes: %s", snippet(page))
	}
}

// A broken file changes nothing; every problem is listed with file, line,
// field and reason, and can be downloaded as CSV.
func TestBadRosterIsRefusedWithEveryProblem(t *testing.T) {
	files := readFixture(t)
	files["users.csv"] = bytes.Replace(files["users.csv"], []byte(",student,"), []byte(",studnet,"), 2)
	d := newDistrict(t, "badimport", func(e *directory.Entry) {
		e.Schools = []directory.School{{Code: "255901001", Name: "Grand Bend High School", TimeZone: "America/Chicago"}}
	})
	c, csrf := d.session(db.DistrictAdmin)
	res, _ := c.upload(csrf, "oneroster", files)
	id := importLink.FindStringSubmatch(res.Header.Get("Location"))[1]
	_, page := c.get("/admin/imports/" + id)
	if !strings.Contains(page, "2 problems to fix") || !strings.Contains(page, "studnet") || strings.Contains(page, "Apply this import") {
		t.Fatalf("problems page: %s", snippet(page))
	}
	res, body := c.get("/admin/imports/" + id + "/problems.csv")
	if res.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("download type %q", res.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(rows) != 3 || rows[1][0] != "users.csv" || rows[1][1] != "2" || rows[1][2] != "role" {
		t.Fatalf("problems CSV: %v %v", rows, err)
	}
	if _, body := c.get("/admin/users?q=archer"); strings.Contains(body, "Mary Archer") {
		t.Fatal("a bad file changed the roster")
	}
}

func TestZipSlipUploadIsRefused(t *testing.T) {
	data, err := os.ReadFile(fixtures.Path(t, "qti/qti21-qtiworks/packages/ZipSlip.zip"))
	if err != nil {
		t.Fatal(err)
	}
	d := newDistrict(t, "zipslip")
	c, csrf := d.session(db.DistrictAdmin)
	res, body := c.upload(csrf, "oneroster", map[string][]byte{"roster.zip": data})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "points outside the zip") {
		t.Fatalf("zip slip: %d %s", res.StatusCode, snippet(body))
	}
}
