package account

import (
	"net/http"
	"net/netip"
	"strings"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// startSession signs a user in (identity.StartSession) in the caller's
// system-scoped transaction and sets the session cookie.
func (s *Handlers) startSession(c *kit.Call, sc *db.Scope, u *people.User) error {
	sess, err := identity.StartSession(c.R.Context(), sc, u, identity.SignIn{Now: s.Now(),
		Idle: s.Config.SessionIdle, Absolute: s.Config.SessionAbsolute,
		UserAgent: c.R.UserAgent(), IP: s.ClientIP(c.R), RequestID: c.ID})
	if err != nil {
		return err
	}
	http.SetCookie(c.W, &http.Cookie{Name: kit.SessionCookie, Value: sess.Token, Path: "/", HttpOnly: true,
		Secure: kit.SecureCookies(c.R), SameSite: http.SameSiteLaxMode, Expires: sess.AbsoluteExpiresAt})
	return nil
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

// localPath keeps a ?next= value only when it is a path on this site.
func localPath(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}
