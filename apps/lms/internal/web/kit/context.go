package kit

import (
	"mime/multipart"
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/features"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/schools"
	"bellwork.dev/bellwork/apps/lms/internal/tenancy"
)

// Call is one request as the handlers see it: who is asking, in which
// district, acting in which role.
type Call struct {
	R      *http.Request
	W      http.ResponseWriter
	Route  *Route
	ID     string // request id, shown on error pages
	Nonce  string // CSP nonce for this response
	Tenant *tenancy.Tenant
	DB     *db.DB

	// Set when signed in.
	Session     *identity.Session
	User        *people.User
	Memberships []people.Membership
	// school is the active membership's school, or the first school, for branding.
	School *schools.School
	// csrf is the token forms and API calls must echo.
	CSRF string

	flagMetrics *features.Metrics
	// Multipart is the rest of a multipart body whose first part, the CSRF
	// token, has been read (see checkCSRF); nil otherwise. Upload handlers
	// read their parts from it, streaming.
	Multipart *multipart.Reader

	// held is the signed-in user's transaction the session was read in
	// (openSession), kept for the first InTx; heldFor is the actor it was
	// begun for.
	held    *db.HeldTx
	heldFor db.Actor
}

// MultipartReader returns the reader of a multipart body's parts, whether
// or not the CSRF check already read its first part.
func (c *Call) MultipartReader() (*multipart.Reader, error) {
	if c.Multipart != nil {
		return c.Multipart, nil
	}
	return c.R.MultipartReader()
}

// actor is who storage calls act as: the session's membership.
func (c *Call) Actor() db.Actor {
	if c.Session == nil {
		return db.Actor{}
	}
	return c.Session.Actor()
}

// role is the active role ("" when signed out).
func (c *Call) Role() db.Role {
	if c.Session == nil {
		return ""
	}
	return c.Session.Role
}

// inTx runs storage calls acting as the signed-in user.
//
// The first call of a request that read its session in the user's own
// transaction (a GET, see openSession) runs in that transaction; later
// calls, and calls for any other actor, begin their own.
func (c *Call) InTx(fn func(s *db.Scope) error) error {
	if h := c.held; h != nil {
		c.held = nil
		if actor := c.Actor(); actor == c.heldFor {
			return h.InTx(c.R.Context(), actor, fn)
		}
		h.Release(c.R.Context())
	}
	return c.DB.InTx(c.R.Context(), c.Actor(), fn)
}

// hold keeps the session's transaction for the first InTx.
func (c *Call) hold(h *db.HeldTx) {
	c.held, c.heldFor = h, c.Actor()
}

// ReleaseHeld ends the session's transaction if nothing used it, returning
// its connection: after the handler, and before a call on another login
// (so a request never waits for a second connection while holding one).
func (c *Call) ReleaseHeld() {
	if c.held != nil {
		c.held.Release(c.R.Context())
		c.held = nil
	}
}

// InOwnTx runs storage calls that touch only the signed-in user's own
// records (their profile): acting as their role, so row-level security
// holds them to their own row, or, for a user who holds no role yet, on the
// system login with the scope's actor set to the user the database finds
// for the session token (db.InOwnTx). Either way the calls read the user
// from s.Actor, never from the handler.
func (c *Call) InOwnTx(fn func(s *db.Scope) error) error {
	if c.Role() == "" {
		return c.AsSystemForMe(fn)
	}
	return c.InTx(fn)
}

// AsSystemForMe runs storage calls on the user's own records that only
// system work may write (their sessions), with s.Actor.UserID the user of
// the live session as the database read it (db.InOwnTx).
func (c *Call) AsSystemForMe(fn func(s *db.Scope) error) error {
	c.ReleaseHeld()
	if c.Session == nil {
		return db.ErrForbidden
	}
	return c.DB.InOwnTx(c.R.Context(), c.Session.Token, fn)
}

// inTxQueueing runs storage calls acting as the signed-in user that also
// queue background work, which only the system login may write.
func (c *Call) InTxQueueing(fn func(s *db.Scope) error) error {
	c.ReleaseHeld()
	return c.DB.InTxQueueing(c.R.Context(), c.Actor(), fn)
}

// asSystem runs storage calls as the LMS itself (sign-in, sessions).
func (c *Call) AsSystem(fn func(s *db.Scope) error) error {
	c.ReleaseHeld()
	return c.DB.InTx(c.R.Context(), db.SystemActor(), fn)
}
