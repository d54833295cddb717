package account

import (
	"net/http"
	"net/netip"
	"strings"

	"bellwork.dev/bellwork/apps/lms/internal/audit"
	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/schools"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
	"bellwork.dev/bellwork/pkg/directory"
)

// startSession signs a user in: a new session acting in their first role,
// the cookie, and the onboarding milestones a first sign-in reaches. It
// runs in the caller's system-scoped transaction.
func (s *Handlers) startSession(c *kit.Call, sc *db.Scope, u *people.User) error {
	ctx := c.R.Context()
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
	if err := identity.CreateSession(ctx, sc, sess, c.R.UserAgent(), s.ClientIP(c.R)); err != nil {
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
	if err := audit.Audit(ctx, sc, "signin", u.Email, nil, c.ID); err != nil {
		return err
	}
	http.SetCookie(c.W, &http.Cookie{Name: kit.SessionCookie, Value: token, Path: "/", HttpOnly: true,
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
