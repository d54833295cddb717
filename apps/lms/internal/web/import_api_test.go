package web

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/pkg/directory"
)

// apiPost sends a JSON API POST with the CSRF header; files, when given,
// go as a multipart body.
func (c *client) apiPost(path, csrf, kind string, files map[string][]byte) (*http.Response, string) {
	c.d.t.Helper()
	var buf bytes.Buffer
	ctype := ""
	if files != nil {
		mw := multipart.NewWriter(&buf)
		if kind != "" {
			_ = mw.WriteField("kind", kind)
		}
		for name, data := range files {
			w, _ := mw.CreateFormFile("files", name)
			_, _ = w.Write(data)
		}
		_ = mw.Close()
		ctype = mw.FormDataContentType()
	}
	req, _ := http.NewRequest("POST", c.d.http.URL+path, &buf)
	req.Host = c.d.host
	req.Header.Set("X-CSRF-Token", csrf)
	req.Header.Set("Accept", "application/json")
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.d.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

type previewJSON struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	Applicable bool   `json:"applicable"`
	Counts     map[string]struct {
		Create int `json:"create"`
	} `json:"counts"`
	Changes []struct {
		Entity, Action, Name string
	} `json:"changes"`
	Files []struct {
		File                    string
		Read, Imported, Skipped int
	} `json:"files"`
	Problems []struct {
		File   string
		Line   int
		Reason string
	} `json:"problems"`
}

// The import API takes the same uploads as the page and answers the
// preview as JSON; apply and discard move it as the page's buttons do.
// Only admins may use it, and a school admin only for their school.
func TestImportAPIPreviewsAppliesAndDiscards(t *testing.T) {
	files := readFixture(t)
	d := newDistrict(t, "importapi", func(e *directory.Entry) {
		e.Schools = append(e.Schools, directory.School{Code: "255901001", Name: "Grand Bend High School", TimeZone: "America/Chicago"})
	})
	doc := loadedOpenAPI(t)
	validates := func(pattern, method string, res *http.Response, body string) {
		t.Helper()
		ref := doc.Paths.Find(pattern).GetOperation(method).Responses.Status(res.StatusCode)
		if ref == nil {
			ref = doc.Paths.Find(pattern).GetOperation(method).Responses.Default()
		}
		ctype, _, _ := strings.Cut(res.Header.Get("Content-Type"), ";")
		media := ref.Value.Content.Get(ctype)
		var v any
		if media == nil || json.Unmarshal([]byte(body), &v) != nil {
			t.Fatalf("%s %s: %d %s not in the document: %s", method, pattern, res.StatusCode, ctype, snippet(body))
		}
		if err := media.Schema.Value.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
			t.Errorf("%s %s: body does not match the document: %v", method, pattern, err)
		}
	}

	for _, role := range []db.Role{db.Teacher, db.Student, db.Guardian} {
		c, csrf := d.session(role)
		if res, _ := c.apiPost("/api/v1/imports", csrf, "oneroster", files); res.StatusCode != http.StatusForbidden {
			t.Errorf("upload as %s: %d, want 403", role, res.StatusCode)
		}
	}

	admin, csrf := d.session(db.DistrictAdmin)
	res, body := admin.apiPost("/api/v1/imports", csrf, "oneroster", files)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", res.StatusCode, snippet(body))
	}
	validates("/api/v1/imports", "POST", res, body)
	var p previewJSON
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	if p.Status != "previewed" || !p.Applicable || p.Counts["user"].Create != 10 || len(p.Changes) == 0 || len(p.Problems) != 0 {
		t.Fatalf("preview: %+v", p)
	}
	for _, f := range p.Files {
		if f.Read != f.Imported+f.Skipped || f.Read == 0 && f.File != "manifest.csv" {
			t.Errorf("file %+v does not add up", f)
		}
	}
	if len(p.Files) < 6 {
		t.Errorf("accounting for %d files, want every file", len(p.Files))
	}
	if res.Header.Get("Location") != "/api/v1/imports/"+p.ID {
		t.Errorf("Location %q", res.Header.Get("Location"))
	}

	// A school admin of another school sees the problems, and cannot apply.
	sa, saCSRF := d.session(db.SchoolAdmin)
	res, body = sa.apiPost("/api/v1/imports", saCSRF, "oneroster", files)
	var refused previewJSON
	_ = json.Unmarshal([]byte(body), &refused)
	if res.StatusCode != http.StatusCreated || refused.Applicable || len(refused.Problems) == 0 {
		t.Fatalf("school admin upload: %d %s", res.StatusCode, snippet(body))
	}
	if res, _ := sa.apiPost("/api/v1/imports/"+refused.ID+"/apply", saCSRF, "", nil); res.StatusCode != http.StatusConflict {
		t.Errorf("applying a refused import: %d, want 409", res.StatusCode)
	}
	// Nor may they touch the district admin's import.
	if res, _ := sa.apiPost("/api/v1/imports/"+p.ID+"/apply", saCSRF, "", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("school admin applying the district's import: %d, want 404", res.StatusCode)
	}
	teacher, tCSRF := d.session(db.Teacher)
	if res, _ := teacher.apiPost("/api/v1/imports/"+p.ID+"/discard", tCSRF, "", nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("teacher discarding: %d, want 403", res.StatusCode)
	}
	// Without the CSRF header nothing happens.
	if res, _ := admin.apiPost("/api/v1/imports/"+p.ID+"/apply", "", "", nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("apply without CSRF: %d, want 403", res.StatusCode)
	}

	res, body = admin.apiPost("/api/v1/imports/"+p.ID+"/apply", csrf, "", nil)
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("apply: %d %s", res.StatusCode, snippet(body))
	}
	validates("/api/v1/imports/{id}/apply", "POST", res, body)
	var progress struct {
		Status string
		Done   bool
	}
	for i := 0; i < 300 && !progress.Done; i++ {
		time.Sleep(100 * time.Millisecond)
		_, body = admin.get("/api/v1/imports/" + p.ID)
		_ = json.Unmarshal([]byte(body), &progress)
	}
	if progress.Status != "applied" {
		t.Fatalf("apply finished as %s", body)
	}
	if res, _ := admin.apiPost("/api/v1/imports/"+p.ID+"/apply", csrf, "", nil); res.StatusCode != http.StatusConflict {
		t.Errorf("applying twice: %d, want 409", res.StatusCode)
	}
	if _, body := admin.get("/admin/users?q=archer"); !strings.Contains(body, "Mary Archer") {
		t.Error("the applied import's users are not there")
	}

	// Discard: a second upload (nothing left to change) is discarded once.
	res, body = admin.apiPost("/api/v1/imports", csrf, "", files)
	var second previewJSON
	_ = json.Unmarshal([]byte(body), &second)
	if res.StatusCode != http.StatusCreated || second.Applicable {
		t.Fatalf("re-upload (format detected): %d %s", res.StatusCode, snippet(body))
	}
	res, body = admin.apiPost("/api/v1/imports/"+second.ID+"/discard", csrf, "", nil)
	var discarded previewJSON
	_ = json.Unmarshal([]byte(body), &discarded)
	if res.StatusCode != http.StatusOK || discarded.Status != "discarded" {
		t.Fatalf("discard: %d %s", res.StatusCode, snippet(body))
	}
	validates("/api/v1/imports/{id}/discard", "POST", res, body)
	if res, _ := admin.apiPost("/api/v1/imports/"+second.ID+"/discard", csrf, "", nil); res.StatusCode != http.StatusConflict {
		t.Errorf("discarding twice: %d, want 409", res.StatusCode)
	}
	if n := d.storedBytes(second.ID); n != 0 {
		t.Errorf("a discarded import keeps %d bytes", n)
	}

	// Too large: refused before the body is read.
	d.srv.Kit.Config.MaxUpload = 1 << 10
	if res, _ := admin.apiPost("/api/v1/imports", csrf, "oneroster", files); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized API upload: %d, want 413", res.StatusCode)
	}
}
