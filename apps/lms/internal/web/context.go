package web

import (
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/schools"
	"bellwork.dev/bellwork/apps/lms/internal/tenancy"
)

// call is one request as the handlers see it: who is asking, in which
// district, acting in which role.
type call struct {
	r      *http.Request
	w      http.ResponseWriter
	route  *route
	id     string // request id, shown on error pages
	nonce  string // CSP nonce for this response
	tenant *tenancy.Tenant
	db     *db.DB

	// Set when signed in.
	session     *identity.Session
	user        *people.User
	memberships []people.Membership
	// school is the active membership's school, or the first school, for branding.
	school *schools.School
	// csrf is the token forms and API calls must echo.
	csrf string
}

// actor is who storage calls act as: the session's membership.
func (c *call) actor() db.Actor {
	if c.session == nil {
		return db.Actor{}
	}
	return c.session.Actor()
}

// role is the active role ("" when signed out).
func (c *call) role() db.Role {
	if c.session == nil {
		return ""
	}
	return c.session.Role
}

// inTx runs storage calls acting as the signed-in user.
func (c *call) inTx(fn func(s *db.Scope) error) error {
	return c.db.InTx(c.r.Context(), c.actor(), fn)
}

// inOwnTx runs storage calls that touch only the signed-in user's own
// records (their profile): acting as their role, or, for a user who holds
// no role yet, as the LMS itself, the caller naming c.user.ID in every call.
func (c *call) inOwnTx(fn func(s *db.Scope) error) error {
	if c.role() == "" {
		return c.asSystem(fn)
	}
	return c.inTx(fn)
}

// inTxQueueing runs storage calls acting as the signed-in user that also
// queue background work, which only the system login may write.
func (c *call) inTxQueueing(fn func(s *db.Scope) error) error {
	return c.db.InTxQueueing(c.r.Context(), c.actor(), fn)
}

// asSystem runs storage calls as the LMS itself (sign-in, sessions).
func (c *call) asSystem(fn func(s *db.Scope) error) error {
	return c.db.InTx(c.r.Context(), db.SystemActor(), fn)
}
