package web

import (
	"context"
	"net"
	"net/http"
	"strings"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/store"
	"bellwork.dev/bellwork/pkg/directory"
)

// startSession signs a user in: a new session acting in their first role,
// the cookie, and the onboarding milestones a first sign-in reaches. It
// runs in the caller's system-scoped transaction.
func (s *Server) startSession(c *call, sc *db.Scope, u *store.User) error {
	ctx := c.r.Context()
	now := s.Now()
	ms, err := store.ListMemberships(ctx, sc, u.ID)
	if err != nil {
		return err
	}
	token, hash := auth.NewToken()
	csrf, _ := auth.NewToken()
	sess := &store.Session{IDSHA256: hash, UserID: u.ID, CSRFToken: csrf, CreatedAt: now,
		IdleExpiresAt: now.Add(s.Config.SessionIdle), AbsoluteExpiresAt: now.Add(s.Config.SessionAbsolute)}
	// A session acts in one membership; users without any get a signed-in
	// page telling them to ask for a role (and no role's permissions).
	if len(ms) > 0 {
		sess.Role, sess.SchoolID = ms[0].Role, ms[0].SchoolID
	}
	// Each sign-in also clears the district's expired sessions, so the table
	// holds only live ones without a sweeper of its own.
	if err := store.DeleteExpiredSessions(ctx, sc, now); err != nil {
		return err
	}
	if err := store.CreateSession(ctx, sc, sess, c.r.UserAgent(), clientIP(c.r)); err != nil {
		return err
	}
	if err := store.RecordSignIn(ctx, sc, u.ID, now); err != nil {
		return err
	}
	for _, m := range ms {
		switch m.Role {
		case db.DistrictAdmin:
			err = store.ReachMilestone(ctx, sc, directory.MilestoneAdminSignedIn, now)
		case db.Teacher:
			err = store.ReachMilestone(ctx, sc, directory.MilestoneFirstTeacherSignIn, now)
		}
		if err != nil {
			return err
		}
	}
	if err := store.Audit(ctx, sc, "signin", u.Email, nil, c.id); err != nil {
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

// clientIP is the address the request came from. A proxy in front of the
// LMS must pass the client's address as the connection's remote address
// (the PROXY protocol or a trusted mesh); headers are not trusted.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
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
func actInHeldRole(ctx context.Context, sc *db.Scope, sess *store.Session, ms []store.Membership) error {
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
	return store.SwitchSessionRole(ctx, sc, sess.IDSHA256, sess.Role, sess.SchoolID)
}

func equalSchool(a, b *string) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}
