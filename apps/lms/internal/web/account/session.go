package account

import (
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"unicode"

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

// localPath keeps a ?next= value only when it is a path on this site: a
// single leading "/", and no backslash or control character anywhere.
// Browsers drop tabs and newlines from URLs and read "\" as "/", so
// "/\t/evil.example" would otherwise be followed to //evil.example.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return "/"
	}
	if strings.ContainsFunc(next, func(r rune) bool { return r == '\\' || r < 0x20 || r == 0x7f || unicode.IsControl(r) }) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return next
}
