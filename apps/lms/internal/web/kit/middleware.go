package kit

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/authz"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/schools"
)

const (
	SessionCookie = "bw_session"
	csrfCookie    = "bw_csrf"
	csrfField     = "_csrf"
	csrfHeader    = "X-CSRF-Token"
)

// statusWriter remembers the status for logs and metrics, and runs
// beforeResponse once, before the response starts.
type statusWriter struct {
	http.ResponseWriter
	status         int
	beforeResponse func()
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.starting()
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.starting()
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) starting() {
	if f := w.beforeResponse; f != nil {
		w.beforeResponse = nil
		f()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// outer adds what every response gets: cross-origin protection for unsafe
// methods, security headers and panic recovery.
func (s *Kit) Outer(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "This request came from another site and was refused. Go back to the page and try again.", http.StatusForbidden)
	}))
	return cop.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if isHTTPS(r) {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	}))
}

// wrap runs one route: request id, CSP nonce, tenant, session, the
// route's permission check, CSRF, then the handler; it records metrics and
// turns panics into a 500 page.
func (s *Kit) Wrap(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		c := &Call{R: r, W: sw, Route: &rt, ID: newID(), Nonce: NewNonce(), flagMetrics: s.Flags}
		// A session's transaction nothing used goes back to the pool
		// before the response does (the client may act on it at once).
		sw.beforeResponse = c.ReleaseHeld
		sw.Header().Set("X-Request-Id", c.ID)
		sw.Header().Set("Content-Security-Policy", csp(c.Nonce))
		defer func() {
			c.ReleaseHeld()
			if p := recover(); p != nil {
				s.Log.Error("Handler panicked", "request_id", c.ID, "route", rt.Pattern, "panic", fmt.Sprint(p))
				if sw.status == 0 {
					s.Fail(c, errors.New("panic"))
				}
			}
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			if s.Observe != nil {
				tenant := ""
				if c.Tenant != nil {
					tenant = c.Tenant.Name()
				}
				// The catch-all "page not found" route has no method.
				s.Observe(strings.TrimSpace(rt.Key()), tenant, status, time.Since(start))
			}
		}()
		if !s.limitBody(c) {
			return
		}
		if !s.prepare(c) {
			return
		}
		rt.Serve(c)
	})
}

// prepare resolves tenant and session and enforces the route's permission;
// it writes the response itself and returns false when the request stops here.
func (s *Kit) prepare(c *Call) bool {
	rt := c.Route
	if !rt.Tenant {
		return true
	}
	t, ok := s.Registry.ForHost(c.R.Host)
	if !ok {
		s.RenderError(c, http.StatusNotFound, "No district here",
			"This address does not belong to any district on Bellwork. Check the link you followed, or ask your school for the right address.")
		return false
	}
	c.Tenant = t
	if rt.Service {
		return s.checkServiceToken(c)
	}
	if ready, _ := t.State(); !ready {
		ctx, cancel := context.WithTimeout(c.R.Context(), 15*time.Second)
		ready = s.Registry.EnsureConverged(ctx, t)
		cancel()
		if !ready {
			s.Unavailable(c)
			return false
		}
	}
	d, err := s.Registry.DB(c.R.Context(), t)
	if err != nil {
		s.Unavailable(c)
		return false
	}
	c.DB = d
	if err := s.loadSession(c); err != nil {
		if errors.Is(err, db.ErrUnavailable) {
			s.Unavailable(c)
		} else {
			s.Fail(c, err)
		}
		return false
	}
	if rt.Action != authz.Public && c.Session == nil {
		s.NeedSignIn(c)
		return false
	}
	if !authz.Allowed(c.Role(), rt.Action) {
		s.Forbidden(c)
		return false
	}
	if !safeMethod(c.R.Method) && !rt.Link {
		ok, err := s.checkCSRF(c)
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			s.TooLarge(c)
			return false
		case !ok:
			s.RenderError(c, http.StatusForbidden, "This form has expired",
				"For your security, the page you sent was too old. Go back, reload the page and try again.")
			return false
		}
	}
	return true
}

// limitBody installs the route's body limit before anything (the CSRF
// check included) reads the body, and refuses at once a body that says
// it is larger.
func (s *Kit) limitBody(c *Call) bool {
	limit := int64(MaxFormBody)
	switch {
	case c.Route.Upload:
		limit = s.Config.MaxUpload
	case c.Route.Stream:
		limit = s.Config.MaxFileUpload + 1<<20 // the file and its form's small fields
	}
	if c.R.ContentLength > limit {
		c.R.Body.Close()
		s.TooLarge(c)
		return false
	}
	c.R.Body = http.MaxBytesReader(c.W, c.R.Body, limit)
	return true
}

// TooLarge answers a body over the route's limit.
func (s *Kit) TooLarge(c *Call) {
	s.RenderError(c, http.StatusRequestEntityTooLarge, "The upload is too large",
		"What you sent is larger than the limit. Split the roster into smaller files, or remove unused files, and try again.")
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// loadSession reads the session cookie; an unknown or expired session is
// simply "signed out". It also prepares the CSRF token forms must echo.
func (s *Kit) loadSession(c *Call) error {
	ck, err := c.R.Cookie(SessionCookie)
	if err == nil && ck.Value != "" && safeMethod(c.R.Method) {
		opened, err := s.openSession(c, ck.Value)
		if err != nil {
			return err
		}
		if opened {
			c.CSRF = c.Session.CSRFToken
			return nil
		}
	}
	if err == nil && ck.Value != "" {
		hash := auth.TokenSHA256(ck.Value)
		now := s.Now()
		err := c.AsSystem(func(sc *db.Scope) error {
			sess, err := identity.GetSession(c.R.Context(), sc, hash, now)
			if errors.Is(err, domain.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			// The user, their roles and the branding school in one round
			// trip, in the session's transaction.
			var u *people.User
			var ms []people.Membership
			b := &pgx.Batch{}
			people.QueueUserAndMemberships(b, sess.UserID, &u, &ms)
			schools.QueueBrandingSchool(b, deref(sess.SchoolID), &c.School)
			if err := sc.Tx.SendBatch(c.R.Context(), b).Close(); err != nil {
				return err
			}
			if !u.Active() {
				c.School = nil
				return nil
			}
			before := deref(sess.SchoolID)
			if err := actInHeldRole(c.R.Context(), sc, sess, ms); err != nil {
				return err
			}
			if deref(sess.SchoolID) != before { // moved to another role: its school's branding
				if c.School, err = brandingSchool(c.R.Context(), sc, sess); err != nil {
					return err
				}
			}
			// Refresh the idle expiry at most once a minute.
			if now.Sub(sess.LastSeenAt) > time.Minute {
				if err := identity.TouchSession(c.R.Context(), sc, hash, now, s.Config.SessionIdle); err != nil {
					return err
				}
			}
			sess.Token = ck.Value
			c.Session, c.User, c.Memberships = sess, u, ms
			return nil
		})
		if err != nil {
			return err
		}
	}
	if c.Session != nil {
		c.CSRF = c.Session.CSRFToken
		return nil // the branding school came with the session
	}
	// Signed out: a double-submit cookie protects the sign-in forms.
	if ck, err := c.R.Cookie(csrfCookie); err == nil && len(ck.Value) >= 32 {
		c.CSRF = ck.Value
	} else {
		c.CSRF = NewNonce() + NewNonce()
		http.SetCookie(c.W, &http.Cookie{Name: csrfCookie, Value: c.CSRF, Path: "/", HttpOnly: true,
			Secure: SecureCookies(c.R), SameSite: http.SameSiteLaxMode})
	}
	return s.loadSchool(c)
}

// openSession is loadSession's fast path for requests that only read (GET,
// HEAD): the user's own transaction begins with the session, the user,
// their roles and the branding school in one round trip (db.BeginSession),
// and is held for the handler's first InTx, so a page is one transaction
// instead of a system one for the session and the user's for the page. It
// reports false, holding nothing, when the slower path must decide: a
// session the database refuses (unknown, expired, its user inactive or no
// longer holding its role), one expired by the LMS's clock, or one whose
// idle expiry is due for a refresh (a write, once a minute). Requests with
// a body keep the slower path: a transaction is not held open while a body
// is read.
func (s *Kit) openSession(c *Call, token string) (bool, error) {
	var sess *identity.Session
	var u *people.User
	var ms []people.Membership
	var school *schools.School
	b := &pgx.Batch{}
	people.QueueMeAndMemberships(b, &u, &ms)
	schools.QueueMyBrandingSchool(b, &school)
	held, err := c.DB.BeginSession(c.R.Context(), token, identity.ScanOpenedSession(&sess), b)
	if errors.Is(err, db.ErrForbidden) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	now := s.Now()
	live := sess.IdleExpiresAt.After(now) && sess.AbsoluteExpiresAt.After(now)
	if !live || now.Sub(sess.LastSeenAt) > time.Minute || !u.Active() || !holdsRole(sess, ms) {
		held.Release(c.R.Context())
		return false, nil
	}
	sess.Token = token
	c.Session, c.User, c.Memberships, c.School = sess, u, ms, school
	c.hold(held)
	return true, nil
}

// loadSchool picks the school whose branding the pages wear when signed
// out (signed in, loadSession reads it with the session).
func (s *Kit) loadSchool(c *Call) error {
	return c.AsSystem(func(sc *db.Scope) (err error) {
		c.School, err = brandingSchool(c.R.Context(), sc, c.Session)
		return err
	})
}

// brandingSchool is the session's school, or the district's only school.
func brandingSchool(ctx context.Context, sc *db.Scope, sess *identity.Session) (*schools.School, error) {
	if sess != nil && sess.SchoolID != nil {
		school, err := schools.GetSchool(ctx, sc, *sess.SchoolID)
		if err == nil {
			return school, nil
		}
	}
	all, err := schools.ListSchools(ctx, sc, false)
	if err != nil || len(all) != 1 {
		return nil, err
	}
	return &all[0], nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// checkCSRF compares the token from the header or the form with the
// session's. A multipart body is not parsed whole for it: its first part
// must be the token (forms put the hidden field first), and the rest is
// left to the handler as c.Multipart, to stream. Errors reading the body
// (one over the limit) are returned.
func (s *Kit) checkCSRF(c *Call) (bool, error) {
	got := c.R.Header.Get(csrfHeader)
	if got == "" {
		var err error
		if got, err = s.formToken(c); err != nil {
			return false, err
		}
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(c.CSRF)) == 1, nil
}

func (s *Kit) formToken(c *Call) (string, error) {
	mr, err := c.R.MultipartReader()
	if errors.Is(err, http.ErrNotMultipart) {
		if err := c.R.ParseForm(); err != nil {
			return "", err
		}
		return c.R.PostForm.Get(csrfField), nil
	}
	if err != nil {
		return "", nil
	}
	part, err := mr.NextPart()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return "", nil
		}
		return "", err
	}
	defer part.Close()
	if part.FormName() != csrfField || part.FileName() != "" {
		return "", nil
	}
	token, err := io.ReadAll(io.LimitReader(part, 256))
	if err != nil {
		return "", err
	}
	c.Multipart = mr
	return string(token), nil
}

// csp is a strict policy: nothing but our own files, and inline only what
// carries this response's nonce.
func csp(nonce string) string {
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self' 'nonce-" + nonce + "'",
		"style-src 'self' 'nonce-" + nonce + "'",
		"img-src 'self' https: data:",
		"font-src 'self'",
		"connect-src 'self'",
		"form-action 'self'",
		"frame-ancestors 'none'",
		"base-uri 'none'",
	}, "; ")
}

// NewNonce is a random, URL-safe token (CSP nonces, CSRF and OIDC state).
func NewNonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func isHTTPS(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// SecureCookies is true except for plain-HTTP requests to localhost, where
// browsers would drop Secure cookies during local development.
func SecureCookies(r *http.Request) bool {
	if isHTTPS(r) {
		return true
	}
	return !isLocalHost(r.Host)
}

func isLocalHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(host)
	return host == "localhost" || strings.HasSuffix(host, ".localhost") || host == "127.0.0.1" || host == "::1"
}
