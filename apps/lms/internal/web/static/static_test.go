package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/andybalholm/brotli"
)

var css = []byte(strings.Repeat("body { color: #123456; margin: 0 auto; }\n", 50))

func testSet(t *testing.T, content []byte) *Set {
	t.Helper()
	s, err := Load(fstest.MapFS{"app.css": {Data: content}, "tiny.svg": {Data: []byte("<svg/>")}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func get(t *testing.T, s *Set, file string, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest("GET", "/assets/"+file, nil)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	if !s.Serve(w, r, file) {
		w.Code = http.StatusNotFound
	}
	return w
}

// Pages link to a name carrying the content's hash, cached for a year as
// immutable; the plain name and a stale fingerprint are revalidated; a new
// content gets a new name.
func TestFingerprintedNamesAreImmutable(t *testing.T) {
	s := testSet(t, css)
	sum := sha256.Sum256(css)
	want := "/assets/app." + hex.EncodeToString(sum[:])[:hashLen] + ".css"
	p, err := s.Path("app.css")
	if err != nil || p != want {
		t.Fatalf("Path = %q, %v; want %q", p, err, want)
	}
	if _, err := s.Path("missing.css"); err == nil {
		t.Error("Path of a missing asset did not fail")
	}
	file := strings.TrimPrefix(p, "/assets/")
	if w := get(t, s, file, nil); w.Code != 200 || w.Header().Get("Cache-Control") != Immutable || !bytes.Equal(w.Body.Bytes(), css) {
		t.Errorf("fingerprinted: %d %q", w.Code, w.Header().Get("Cache-Control"))
	}
	if w := get(t, s, "app.css", nil); w.Code != 200 || w.Header().Get("Cache-Control") != Revalidate || w.Header().Get("Content-Type") != "text/css; charset=utf-8" {
		t.Errorf("plain: %d %v", w.Code, w.Header())
	}
	if w := get(t, s, "app.0123456789ab.css", nil); w.Code != 200 || w.Header().Get("Cache-Control") != Revalidate || !bytes.Equal(w.Body.Bytes(), css) {
		t.Errorf("another release's fingerprint: %d %q", w.Code, w.Header().Get("Cache-Control"))
	}
	for _, f := range []string{"nope.css", "app.zzzzzzzzzzzz.css", "app.0123.css"} {
		if w := get(t, s, f, nil); w.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", f, w.Code)
		}
	}
	changed, _ := testSet(t, append([]byte("/* v2 */"), css...)).Path("app.css")
	if changed == p {
		t.Errorf("changed content kept the name %s", p)
	}
}

// Brotli when accepted, else gzip, else identity; each decodes to the
// original; Vary tells caches the answer depends on Accept-Encoding; a
// file compression cannot shrink is sent as is.
func TestPrecompressedPerAcceptEncoding(t *testing.T) {
	s := testSet(t, css)
	decode := map[string]func(io.Reader) (io.Reader, error){
		"br":   func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil },
		"gzip": func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) },
		"":     func(r io.Reader) (io.Reader, error) { return r, nil },
	}
	for accept, want := range map[string]string{
		"gzip, deflate, br, zstd": "br",
		"br;q=0.5, gzip":          "br",
		"gzip":                    "gzip",
		"br;q=0, gzip;q=1":        "gzip",
		"gzip;q=0, br;q=0":        "",
		"":                        "",
		"identity":                "",
	} {
		w := get(t, s, "app.css", map[string]string{"Accept-Encoding": accept})
		if got := w.Header().Get("Content-Encoding"); got != want {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", accept, got, want)
			continue
		}
		if w.Header().Get("Vary") != "Accept-Encoding" {
			t.Errorf("Accept-Encoding %q: Vary %q", accept, w.Header().Get("Vary"))
		}
		if want != "" && w.Body.Len() >= len(css) {
			t.Errorf("%s body %d bytes, not smaller than %d", want, w.Body.Len(), len(css))
		}
		r, err := decode[want](w.Body)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := io.ReadAll(r); err != nil || !bytes.Equal(got, css) {
			t.Errorf("Accept-Encoding %q: decoded body differs (%v)", accept, err)
		}
	}
	if w := get(t, s, "tiny.svg", map[string]string{"Accept-Encoding": "br, gzip"}); w.Header().Get("Content-Encoding") != "" || w.Body.String() != "<svg/>" {
		t.Errorf("tiny file: %q %q", w.Header().Get("Content-Encoding"), w.Body.String())
	}
}

// A client holding the variant it would get is answered 304 without a
// body; each encoding has its own tag; a changed body has a new tag.
func TestETagRevalidation(t *testing.T) {
	s := testSet(t, css)
	first := get(t, s, "app.css", map[string]string{"Accept-Encoding": "br"})
	tag := first.Header().Get("ETag")
	if first.Code != 200 || !strings.HasPrefix(tag, `"`) {
		t.Fatalf("first: %d ETag %q", first.Code, tag)
	}
	for _, inm := range []string{tag, "W/" + tag, `"other", ` + tag, "*"} {
		w := get(t, s, "app.css", map[string]string{"Accept-Encoding": "br", "If-None-Match": inm})
		if w.Code != http.StatusNotModified || w.Body.Len() != 0 || w.Header().Get("ETag") != tag {
			t.Errorf("If-None-Match %s: %d, %d bytes", inm, w.Code, w.Body.Len())
		}
	}
	gz := get(t, s, "app.css", map[string]string{"Accept-Encoding": "gzip", "If-None-Match": tag})
	if gz.Code != 200 || gz.Header().Get("ETag") == tag {
		t.Errorf("the brotli tag revalidated the gzip variant: %d %q", gz.Code, gz.Header().Get("ETag"))
	}
	other := testSet(t, append([]byte("/* v2 */"), css...))
	if w := get(t, other, "app.css", map[string]string{"Accept-Encoding": "br", "If-None-Match": tag}); w.Code != 200 {
		t.Errorf("changed content answered %d to the old tag", w.Code)
	}
}
