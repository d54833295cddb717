package web

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/audit"
	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/schools"
	"bellwork.dev/bellwork/pkg/directory"
)

// startSession signs a user in: a new session acting in their first role,
// the cookie, and the onboarding milestones a first sign-in reaches. It
// runs in the caller's system-scoped transaction.
func (s *Server) startSession(c *call, sc *db.Scope, u *people.User) error {
	ctx := c.r.Context()
	now := s.Now()
	ms, err := people.ListMemberships(ctx, sc, u.ID)
	if err != nil {
		return err
	}
	token, hash := auth.NewToken()
	csrf, _ := auth.NewToken()
	sess := &identity.Session{IDSHA256: hash, UserID: u.ID, CSRFToken: csrf, CreatedAt: now,
		IdleExpiresAt: now.Add(s.Config.SessionIdle), AbsoluteExpiresAt: now.Add(s.Config.SessionAbsolute)}
	// A session acts in one membership; users without any get a signed-in
	// page telling them to ask for a role (and no role's permissions).
	if len(ms) > 0 {
		sess.Role, sess.SchoolID = ms[0].Role, ms[0].SchoolID
	}
	// Each sign-in also clears the district's expired sessions, so the table
	// holds only live ones without a sweeper of its own.
	if err := identity.DeleteExpiredSessions(ctx, sc, now); err != nil {
		return err
	}
	if err := identity.CreateSession(ctx, sc, sess, c.r.UserAgent(), s.clientIP(c.r)); err != nil {
		return err
	}
	if err := people.RecordSignIn(ctx, sc, u.ID, now); err != nil {
		return err
	}
	for _, m := range ms {
		switch m.Role {
		case db.DistrictAdmin:
			err = schools.ReachMilestone(ctx, sc, directory.MilestoneAdminSignedIn, now)
		case db.Teacher:
			err = schools.ReachMilestone(ctx, sc, directory.MilestoneFirstTeacherSignIn, now)
		}
		if err != nil {
			return err
		}
	}
	if err := audit.Audit(ctx, sc, "signin", u.Email, nil, c.id); err != nil {
		return err
	}
	http.SetCookie(c.w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: secureCookies(c.r), SameSite: http.SameSiteLaxMode, Expires: sess.AbsoluteExpiresAt})
	return nil
}

// endSessionCookie removes the session cookie from the browser.
func endSessionCookie(c *call) {
	http.SetCookie(c.w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true,
		Secure: secureCookies(c.r), SameSite: http.SameSiteLaxMode, MaxAge: -1, Expires: time.Unix(0, 0)})
}

// clientIP is the address the request came from. Behind the district's
// ingress every connection comes from the proxy, so that sign-in throttling
// does not lock a whole district out as one address, X-Forwarded-For is read
// when, and only when, the connection comes from a trusted proxy: from the
// right, the first address that is not itself a trusted proxy.
func (s *Server) clientIP(r *http.Request) string {
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

// throttleKey is the address throttling counts by: an IPv4 address, or an
// IPv6 /64, since one household or device is given a whole /64 to pick
// addresses from.
func throttleKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil || a.Unmap().Is4() {
		return addr
	}
	return netip.PrefixFrom(a, 64).Masked().String()
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.Config.TrustedProxies {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// localPath keeps a ?next= value only when it is a path on this site.
func localPath(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
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

func equalSchool(a, b *string) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}
