package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/web/static"
)

var assetLink = regexp.MustCompile(`(?:href|src)="(/assets/[a-z]+\.[0-9a-f]{12}\.[a-z]+)"`)

// Pages link the stylesheet, icon and script by fingerprinted name; those
// URLs are immutable for a year and come precompressed as the browser
// accepts; the plain names still answer, revalidated.
func TestPagesLinkFingerprintedPrecompressedAssets(t *testing.T) {
	d := newDistrict(t, "assets")
	c, _ := d.session(db.Teacher)
	_, body := c.get("/")
	links := assetLink.FindAllStringSubmatch(body, -1)
	if len(links) != 3 {
		t.Fatalf("home page links %d fingerprinted assets, want 3 (css, icon, js): %v", len(links), links)
	}
	for _, l := range links {
		res, got := c.do("GET", l[1], nil, http.Header{"Accept-Encoding": {"gzip, deflate, br"}})
		if res.StatusCode != http.StatusOK || res.Header.Get("Cache-Control") != static.Immutable {
			t.Errorf("%s: %d %q", l[1], res.StatusCode, res.Header.Get("Cache-Control"))
		}
		if !strings.HasSuffix(l[1], ".svg") && res.Header.Get("Content-Encoding") != "br" {
			t.Errorf("%s: Content-Encoding %q, want br", l[1], res.Header.Get("Content-Encoding"))
		}
		if res.Header.Get("Vary") != "Accept-Encoding" || len(got) == 0 {
			t.Errorf("%s: Vary %q, %d bytes", l[1], res.Header.Get("Vary"), len(got))
		}
	}
	res, _ := c.do("GET", "/assets/app.css", nil, http.Header{"Accept-Encoding": {"gzip"}})
	if res.StatusCode != http.StatusOK || res.Header.Get("Cache-Control") != static.Revalidate || res.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("/assets/app.css: %d %q %q", res.StatusCode, res.Header.Get("Cache-Control"), res.Header.Get("Content-Encoding"))
	}
	if res, _ := c.get("/assets/nope.css"); res.StatusCode != http.StatusNotFound {
		t.Errorf("/assets/nope.css: %d", res.StatusCode)
	}
}

// The OpenAPI document carries an ETag; a client that holds it gets 304.
func TestOpenAPIRevalidates(t *testing.T) {
	d := newDistrict(t, "apietag")
	c := d.client()
	res, body := c.get("/api/v1/openapi.json")
	tag := res.Header.Get("ETag")
	if res.StatusCode != http.StatusOK || tag == "" || res.Header.Get("Cache-Control") != static.Revalidate || !strings.Contains(body, `"openapi"`) {
		t.Fatalf("first: %d ETag %q Cache-Control %q", res.StatusCode, tag, res.Header.Get("Cache-Control"))
	}
	res, body = c.do("GET", "/api/v1/openapi.json", nil, http.Header{"If-None-Match": {tag}})
	if res.StatusCode != http.StatusNotModified || body != "" {
		t.Errorf("revalidation: %d, %d bytes", res.StatusCode, len(body))
	}
}
