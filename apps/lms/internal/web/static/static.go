// Package static serves bytes that are the same for every district and
// request: the embedded stylesheet, script and icon, and documents built
// once at start (the OpenAPI document). Everything is fingerprinted,
// compressed with gzip and brotli and given an ETag when it is loaded, so a
// request only picks a prepared variant: it never hashes or compresses.
//
// Assets are reachable under two names: the fingerprinted one
// (app.3f2a9c1b04de.css), which pages link to through Set.Path and which is
// cached for a year as immutable, and the plain one (app.css), which
// browsers must revalidate. A fingerprint the process does not know (a page
// rendered by the other colour during a blue-green switch) is answered with
// the current content, revalidated rather than cached as immutable.
package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/andybalholm/brotli"
)

// Immutable is the Cache-Control of a fingerprinted URL: its content can
// never change, so browsers and proxies keep it for a year without asking.
const Immutable = "public, max-age=31536000, immutable"

// Revalidate is the Cache-Control of a URL whose content may change: kept,
// but checked with If-None-Match before each use (a 304 costs no body).
const Revalidate = "no-cache"

// hashLen is how many hex digits of the SHA-256 name a fingerprint: 48 bits,
// plenty for a few files.
const hashLen = 12

// Body is one prepared response: its bytes in each encoding it is worth
// sending in, its type and its entity tag.
type Body struct {
	ctype string
	hash  string // hex SHA-256 prefix of the raw bytes
	raw   []byte
	gz    []byte // nil when gzip does not make it smaller
	br    []byte // nil when brotli does not make it smaller
}

// NewBody fingerprints and compresses b (contentType as sent).
func NewBody(b []byte, contentType string) (*Body, error) {
	sum := sha256.Sum256(b)
	body := &Body{ctype: contentType, hash: hex.EncodeToString(sum[:])[:hashLen], raw: b}
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	if gz.Len() < len(b) {
		body.gz = gz.Bytes()
	}
	var br bytes.Buffer
	bw := brotli.NewWriterLevel(&br, brotli.BestCompression)
	if _, err := bw.Write(b); err != nil {
		return nil, fmt.Errorf("brotli: %w", err)
	}
	if err := bw.Close(); err != nil {
		return nil, fmt.Errorf("brotli: %w", err)
	}
	if br.Len() < len(b) {
		body.br = br.Bytes()
	}
	return body, nil
}

// Serve writes the body with cacheControl, in the best encoding the request
// accepts, or 304 when the request already holds this variant.
func (b *Body) Serve(w http.ResponseWriter, r *http.Request, cacheControl string) {
	data, encoding := b.raw, ""
	switch accepts := acceptedEncodings(r.Header.Get("Accept-Encoding")); {
	case b.br != nil && accepts["br"]:
		data, encoding = b.br, "br"
	case b.gz != nil && accepts["gzip"]:
		data, encoding = b.gz, "gzip"
	}
	// Each encoding is a different representation, so a different tag: a
	// cache must not answer a gzip request's If-None-Match with brotli.
	etag := `"` + b.hash + `"`
	if encoding != "" {
		etag = `"` + b.hash + "-" + encoding + `"`
	}
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", cacheControl)
	h.Add("Vary", "Accept-Encoding")
	if noneMatch(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", b.ctype)
	if encoding != "" {
		h.Set("Content-Encoding", encoding)
	}
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(data)
	}
}

// acceptedEncodings reads Accept-Encoding: the codings with a non-zero
// quality ("*" is not trusted to include brotli).
func acceptedEncodings(header string) map[string]bool {
	out := map[string]bool{}
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(k, "q") {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					q = f
				}
			}
		}
		if name != "" && q > 0 {
			out[strings.ToLower(name)] = true
		}
	}
	return out
}

// noneMatch reports whether an If-None-Match header names etag (weak
// comparison, as RFC 9110 asks for GET) or is "*".
func noneMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// Set is the embedded assets, loaded once.
type Set struct {
	byPlain map[string]*Body  // app.css → body
	byPrint map[string]*Body  // app.3f2a9c1b04de.css → body
	prints  map[string]string // app.css → app.3f2a9c1b04de.css
}

// Load reads every file at the top of fsys, fingerprints and compresses it.
func Load(fsys fs.FS) (*Set, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("assets: %w", err)
	}
	s := &Set{byPlain: map[string]*Body{}, byPrint: map[string]*Body{}, prints: map[string]string{}}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		name := e.Name()
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("assets: %w", err)
		}
		ctype := mime.TypeByExtension(path.Ext(name))
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		body, err := NewBody(data, ctype)
		if err != nil {
			return nil, fmt.Errorf("asset %s: %w", name, err)
		}
		printed := fingerprinted(name, body.hash)
		s.byPlain[name], s.byPrint[printed], s.prints[name] = body, body, printed
	}
	return s, nil
}

func fingerprinted(name, hash string) string {
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + hash + ext
}

// Path is the URL pages link to for the named asset: its fingerprinted
// name. An unknown name is an error, so a template naming a missing asset
// fails when it renders (every page is rendered in the web tests).
func (s *Set) Path(name string) (string, error) {
	p, ok := s.prints[name]
	if !ok {
		return "", fmt.Errorf("no asset named %q", name)
	}
	return "/assets/" + p, nil
}

// Serve answers GET /assets/{file}; false when no asset has that name.
func (s *Set) Serve(w http.ResponseWriter, r *http.Request, file string) bool {
	if b, ok := s.byPrint[file]; ok {
		b.Serve(w, r, Immutable)
		return true
	}
	if b, ok := s.byPlain[file]; ok {
		b.Serve(w, r, Revalidate)
		return true
	}
	if b, ok := s.byPlain[unfingerprinted(file)]; ok {
		b.Serve(w, r, Revalidate) // another release's fingerprint
		return true
	}
	return false
}

// unfingerprinted strips a fingerprint-shaped part from a name
// (app.0123456789ab.css → app.css), or returns "".
func unfingerprinted(name string) string {
	ext := path.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	dot := strings.LastIndexByte(stem, '.')
	if dot < 0 || len(stem)-dot-1 != hashLen {
		return ""
	}
	if _, err := hex.DecodeString(stem[dot+1:]); err != nil {
		return ""
	}
	return stem[:dot] + ext
}
