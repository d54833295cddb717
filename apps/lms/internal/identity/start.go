package identity

import (
	"context"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/audit"
	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/schools"
	"bellwork.dev/bellwork/pkg/directory"
)

// SignIn describes one sign-in: when, how long its session lives, and the
// browser and request it came from.
type SignIn struct {
	Now            time.Time
	Idle, Absolute time.Duration
	UserAgent, IP  string
	RequestID      string
}

// StartSession signs a user in, in the caller's system-scoped transaction
// (whichever way they proved who they are): a new session acting in their
// first role, the sign-in recorded and audited, and the onboarding
// milestones a first sign-in reaches. It returns the session with its
// token, which the caller puts in the cookie and which is never stored.
func StartSession(ctx context.Context, s *db.Scope, u *people.User, in SignIn) (*Session, error) {
	ms, err := people.ListMemberships(ctx, s, u.ID)
	if err != nil {
		return nil, err
	}
	token, hash := auth.NewToken()
	csrf, _ := auth.NewToken()
	sess := &Session{IDSHA256: hash, UserID: u.ID, CSRFToken: csrf, CreatedAt: in.Now, LastSeenAt: in.Now,
		IdleExpiresAt: in.Now.Add(in.Idle), AbsoluteExpiresAt: in.Now.Add(in.Absolute), Token: token}
	// A session acts in one membership; users without any get a signed-in
	// page telling them to ask for a role (and no role's permissions).
	if len(ms) > 0 {
		sess.Role, sess.SchoolID = ms[0].Role, ms[0].SchoolID
	}
	// Each sign-in also clears the district's expired sessions, so the table
	// holds only live ones without a sweeper of its own.
	if err := DeleteExpiredSessions(ctx, s, in.Now); err != nil {
		return nil, err
	}
	if err := CreateSession(ctx, s, sess, in.UserAgent, in.IP); err != nil {
		return nil, err
	}
	if err := people.RecordSignIn(ctx, s, u.ID, in.Now); err != nil {
		return nil, err
	}
	for _, m := range ms {
		switch m.Role {
		case db.DistrictAdmin:
			err = schools.ReachMilestone(ctx, s, directory.MilestoneAdminSignedIn, in.Now)
		case db.Teacher:
			err = schools.ReachMilestone(ctx, s, directory.MilestoneFirstTeacherSignIn, in.Now)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := audit.Audit(ctx, s, "signin", u.Email, nil, in.RequestID); err != nil {
		return nil, err
	}
	return sess, nil
}
