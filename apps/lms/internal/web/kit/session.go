package kit

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
	"bellwork.dev/bellwork/apps/lms/internal/people"
)

// EndSessionCookie removes the session cookie from the browser.
func EndSessionCookie(c *Call) {
	http.SetCookie(c.W, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true,
		Secure: SecureCookies(c.R), SameSite: http.SameSiteLaxMode, MaxAge: -1, Expires: time.Unix(0, 0)})
}

// ClientIP is the address the request came from. Behind the district's
// ingress every connection comes from the proxy, so that sign-in throttling
// does not lock a whole district out as one address, X-Forwarded-For is read
// when, and only when, the connection comes from a trusted proxy: from the
// right, the first address that is not itself a trusted proxy.
func (s *Kit) ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || !s.trusted(addr) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := parseHop(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a forged or broken header: stop at the last proxy
		}
		addr = hop.Unmap()
		if !s.trusted(addr) {
			break
		}
	}
	return addr.String()
}

// parseHop reads one X-Forwarded-For entry: an address, or one with a port
// (some proxies add it).
func parseHop(v string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(v); err == nil {
		return a, nil
	}
	ap, err := netip.ParseAddrPort(v)
	return ap.Addr(), err
}

func (s *Kit) trusted(a netip.Addr) bool {
	for _, p := range s.Config.TrustedProxies {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// actInHeldRole keeps a session acting in a role its user still holds: an
// admin may have removed the role since. It moves to the user's first
// remaining role (and records that), or to no role at all, which grants no
// permission beyond being signed in.
func actInHeldRole(ctx context.Context, sc *db.Scope, sess *identity.Session, ms []people.Membership) error {
	for _, m := range ms {
		if m.Role == sess.Role && equalSchool(m.SchoolID, sess.SchoolID) {
			return nil
		}
	}
	if len(ms) == 0 {
		sess.Role, sess.SchoolID = "", nil
		return nil
	}
	sess.Role, sess.SchoolID = ms[0].Role, ms[0].SchoolID
	return identity.SwitchSessionRole(ctx, sc, sess.IDSHA256, sess.Role, sess.SchoolID)
}

// holdsRole says whether the session acts in one of the memberships.
func holdsRole(sess *identity.Session, ms []people.Membership) bool {
	for _, m := range ms {
		if m.Role == sess.Role && equalSchool(m.SchoolID, sess.SchoolID) {
			return true
		}
	}
	return false
}

func equalSchool(a, b *string) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}
