// Package rostertest is a OneRoster REST provider for tests, on loopback:
// it serves a parsed bundle through the standard endpoints
// (/ims/oneroster/v1p1/users, /ims/oneroster/rostering/v1p2/users...)
// behind an OAuth 2.0 client-credentials token endpoint, with limit/offset
// paging, X-Total-Count and Link headers, and ways to misbehave: expire
// tokens, answer 429, or go away mid-sync. Production code never imports it.
package rostertest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"

	"bellwork.dev/bellwork/apps/lms/internal/roster"
)

// Server is a running provider.
type Server struct {
	*httptest.Server
	ClientID, ClientSecret string
	// OAuth1 makes the provider take OAuth 1.0a signed requests (HMAC-SHA256,
	// consumer key and secret, no token) instead of bearer tokens.
	OAuth1 bool
	// TokenTTL is the expires_in of new tokens, in seconds (3600 when zero).
	TokenTTL int

	mu     sync.Mutex
	bundle *roster.Bundle
	tokens map[string]bool
	nonces map[string]bool
	// TooManyRequests answers the next n resource requests with 429 and
	// Retry-After: RetryAfter.
	tooMany    int
	retryAfter string
	// failAfter makes the provider go away (close connections) after this
	// many more successful resource requests; -1 never.
	failAfter int
	// NoLinks leaves out the Link header, so clients page by offset.
	noLinks bool

	Requests    []string // resource request URIs served, in order
	TokenIssued int
}

// New starts a provider serving b.
func New(b *roster.Bundle) *Server {
	s := &Server{ClientID: "district-client", ClientSecret: "s3cret-" + randomHex(8), bundle: b, tokens: map[string]bool{}, nonces: map[string]bool{}, failAfter: -1}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/token", s.token)
	mux.HandleFunc("GET /ims/oneroster/v1p1/{collection}", s.collection)
	mux.HandleFunc("GET /ims/oneroster/rostering/v1p2/{collection}", s.collection)
	s.Server = httptest.NewServer(mux)
	return s
}

// TokenURL is the token endpoint.
func (s *Server) TokenURL() string { return s.URL + "/oauth/token" }

// SetBundle changes what the provider serves.
func (s *Server) SetBundle(b *roster.Bundle) { s.mu.Lock(); s.bundle = b; s.mu.Unlock() }

// ExpireTokens makes every token issued so far invalid.
func (s *Server) ExpireTokens() { s.mu.Lock(); s.tokens = map[string]bool{}; s.mu.Unlock() }

// TooManyRequests answers the next n resource requests with 429.
func (s *Server) TooManyRequests(n int, retryAfter string) {
	s.mu.Lock()
	s.tooMany, s.retryAfter = n, retryAfter
	s.mu.Unlock()
}

// FailAfter makes the provider drop every connection after n more pages.
func (s *Server) FailAfter(n int) { s.mu.Lock(); s.failAfter = n; s.mu.Unlock() }

// NoLinks stops sending Link headers.
func (s *Server) NoLinks() { s.mu.Lock(); s.noLinks = true; s.mu.Unlock() }

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok || id != s.ClientID || secret != s.ClientSecret || r.PostFormValue("grant_type") != "client_credentials" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"invalid_client"}`))
		return
	}
	tok := randomHex(16)
	s.mu.Lock()
	s.tokens[tok] = true
	s.TokenIssued++
	ttl := s.TokenTTL
	s.mu.Unlock()
	if ttl == 0 {
		ttl = 3600
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "bearer", "expires_in": ttl})
}

func (s *Server) collection(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	valid := s.tokens[tok]
	if s.OAuth1 {
		valid = s.signedOAuth1(r)
	}
	tooMany := s.tooMany > 0
	if valid && tooMany {
		s.tooMany--
	}
	fail := s.failAfter == 0
	if valid && !tooMany && s.failAfter > 0 {
		s.failAfter--
	}
	b, noLinks, retry := s.bundle, s.noLinks, s.retryAfter
	if valid && !tooMany && !fail {
		s.Requests = append(s.Requests, r.URL.RequestURI())
	}
	s.mu.Unlock()
	switch {
	case fail:
		// The provider goes away: the connection drops without an answer.
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	case !valid:
		w.WriteHeader(http.StatusUnauthorized)
		return
	case tooMany:
		w.Header().Set("Retry-After", retry)
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	name := r.PathValue("collection")
	v12 := strings.Contains(r.URL.Path, "/v1p2/")
	items, ok := itemsOf(b, name, v12)
	if !ok {
		http.NotFound(w, r)
		return
	}
	limit, offset := 100, 0
	if v, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && v > 0 {
		limit = v
	}
	if v, err := strconv.Atoi(r.URL.Query().Get("offset")); err == nil && v >= 0 {
		offset = v
	}
	end := min(offset+limit, len(items))
	pageItems := []map[string]any{}
	if offset < len(items) {
		pageItems = items[offset:end]
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(len(items)))
	if !noLinks && end < len(items) {
		next := *r.URL
		q := next.Query()
		q.Set("offset", strconv.Itoa(end))
		q.Set("limit", strconv.Itoa(limit))
		next.RawQuery = q.Encode()
		w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next"`, next.RequestURI()))
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{name: pageItems})
}

func ref(id, typ string) any {
	if id == "" {
		return nil
	}
	return map[string]string{"sourcedId": id, "type": typ, "href": ""}
}

func refs(ids []string, typ string) []any {
	out := []any{}
	for _, id := range ids {
		out = append(out, ref(id, typ))
	}
	return out
}

func status(s string) string {
	if s == "" {
		return "active"
	}
	return s
}

// itemsOf renders a collection of b as the REST binding does.
func itemsOf(b *roster.Bundle, name string, v12 bool) ([]map[string]any, bool) {
	var out []map[string]any
	switch name {
	case "orgs":
		for _, o := range b.Orgs {
			out = append(out, map[string]any{"sourcedId": o.SourcedID, "status": status(o.Status), "dateLastModified": "2025-01-01T00:00:00Z",
				"name": o.Name, "type": o.Type, "identifier": o.Identifier, "parent": ref(o.ParentSourcedID, "org")})
		}
	case "academicSessions":
		for _, a := range b.Sessions {
			out = append(out, map[string]any{"sourcedId": a.SourcedID, "status": status(a.Status), "title": a.Title, "type": a.Type,
				"startDate": a.StartDate.String(), "endDate": a.EndDate.String(), "parent": ref(a.ParentSourcedID, "academicSession"), "schoolYear": a.SchoolYear})
		}
	case "courses":
		for _, c := range b.Courses {
			out = append(out, map[string]any{"sourcedId": c.SourcedID, "status": status(c.Status), "title": c.Title, "courseCode": c.CourseCode,
				"grades": c.Grades, "subjects": c.Subjects, "org": ref(c.OrgSourcedID, "org"), "schoolYear": ref(c.SchoolYearSourcedID, "academicSession")})
		}
	case "classes":
		for _, c := range b.Classes {
			out = append(out, map[string]any{"sourcedId": c.SourcedID, "status": status(c.Status), "title": c.Title, "classCode": c.ClassCode,
				"classType": c.ClassType, "location": c.Location, "grades": c.Grades, "subjects": c.Subjects, "periods": c.Periods,
				"course": ref(c.CourseSourcedID, "course"), "school": ref(c.SchoolSourcedID, "org"), "terms": refs(c.TermSourcedIDs, "academicSession")})
		}
	case "users":
		for _, u := range b.Users {
			m := map[string]any{"sourcedId": u.SourcedID, "status": status(u.Status), "enabledUser": strconv.FormatBool(u.Enabled), "username": u.Username,
				"givenName": u.GivenName, "familyName": u.FamilyName, "middleName": u.MiddleName, "identifier": u.Identifier, "email": u.Email,
				"sms": u.SMS, "phone": u.Phone, "agents": refs(u.AgentSourcedIDs, "user"), "grades": u.Grades, "userIds": []any{}}
			if !v12 {
				m["role"], m["orgs"] = u.Role, refs(u.OrgSourcedIDs, "org")
			} else {
				var roles []any
				for _, r := range b.Roles {
					if r.UserSourcedID == u.SourcedID && r.Status != "tobedeleted" {
						roles = append(roles, map[string]any{"roleType": r.RoleType, "role": r.Role, "org": ref(r.OrgSourcedID, "org")})
					}
				}
				m["roles"] = roles
				if d, ok := b.People[u.SourcedID]; ok && d.LegalGivenName != "" {
					m["givenName"], m["preferredFirstName"] = d.LegalGivenName, u.GivenName
				}
			}
			out = append(out, m)
		}
	case "enrollments":
		for _, e := range b.Enrollments {
			m := map[string]any{"sourcedId": e.SourcedID, "status": status(e.Status), "role": e.Role, "primary": strconv.FormatBool(e.Primary),
				"user": ref(e.UserSourcedID, "user"), "class": ref(e.ClassSourcedID, "class"), "school": ref(e.SchoolSourcedID, "org")}
			if e.BeginDate != nil {
				m["beginDate"] = e.BeginDate.String()
			}
			if e.EndDate != nil {
				m["endDate"] = e.EndDate.String()
			}
			out = append(out, m)
		}
	default:
		return nil, false
	}
	return out, true
}

// signedOAuth1 checks an OAuth 1.0a signature the way RFC 5849 says,
// written here apart from the client's code so that one checks the other;
// a nonce is accepted once. Called with s.mu held.
func (s *Server) signedOAuth1(r *http.Request) bool {
	rest, ok := strings.CutPrefix(r.Header.Get("Authorization"), "OAuth ")
	if !ok {
		return false
	}
	oauth := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		k, _ = url.QueryUnescape(k)
		v, _ = url.QueryUnescape(strings.Trim(v, `"`))
		oauth[k] = v
	}
	if oauth["oauth_consumer_key"] != s.ClientID || oauth["oauth_signature_method"] != "HMAC-SHA256" || oauth["oauth_nonce"] == "" || s.nonces[oauth["oauth_nonce"]] {
		return false
	}
	enc := func(v string) string { return strings.ReplaceAll(url.QueryEscape(v), "+", "%20") }
	var pairs []string
	for k, vs := range r.URL.Query() {
		for _, v := range vs {
			pairs = append(pairs, enc(k)+"="+enc(v))
		}
	}
	for k, v := range oauth {
		if k != "oauth_signature" {
			pairs = append(pairs, enc(k)+"="+enc(v))
		}
	}
	sort.Strings(pairs)
	base := "GET&" + enc("http://"+r.Host+r.URL.Path) + "&" + enc(strings.Join(pairs, "&"))
	mac := hmac.New(sha256.New, []byte(enc(s.ClientSecret)+"&"))
	mac.Write([]byte(base))
	if !hmac.Equal([]byte(base64.StdEncoding.EncodeToString(mac.Sum(nil))), []byte(oauth["oauth_signature"])) {
		return false
	}
	s.nonces[oauth["oauth_nonce"]] = true
	return true
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
