package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
	"bellwork.dev/bellwork/apps/lms/internal/people"
)

// Sign-in throttling: per account, and per client address.
const (
	accountMaxFailures = 5
	accountLockFor     = 15 * time.Minute
	ipMaxFailures      = 20
	ipWindow           = 15 * time.Minute
	ipLockFor          = 15 * time.Minute
)

type signinData struct {
	Email, Next, Error string
	PasswordsEnabled   bool
	OIDC               string
}

func (s *Server) signinData(c *call) signinData {
	d := signinData{Next: localPath(c.r.FormValue("next")), PasswordsEnabled: !c.tenant.Entry.SignIn.PasswordsDisabled}
	if o := c.tenant.Entry.SignIn.OIDC; o != nil {
		d.OIDC = o.DisplayName
	}
	return d
}

func (s *Server) signinForm(c *call) {
	if c.session != nil {
		redirect(c, "/", "")
		return
	}
	d := s.signinData(c)
	if c.r.URL.Query().Get("error") == "oidc" {
		d.Error = "Sign-in with your district account did not work. Try again, or ask your school's Bellwork admin to check your account."
	}
	s.render(c, "signin", "Sign in", d)
}

var (
	errLocked      = errors.New("sign-in locked")
	errBadPassword = errors.New("wrong e-mail address or password")
)

func (s *Server) signin(c *call) {
	d := s.signinData(c)
	if !d.PasswordsEnabled {
		s.renderError(c, http.StatusForbidden, "Passwords are off", "This district signs in with its own accounts only. Use the sign-in button instead.")
		return
	}
	d.Email = strings.TrimSpace(c.r.PostFormValue("email"))
	password := c.r.PostFormValue("password")
	now := s.Now()
	ipKey := "ip:" + throttleKey(s.clientIP(c.r))
	var userID string
	err := c.asSystem(func(sc *db.Scope) error {
		ctx := c.r.Context()
		if until, err := identity.ThrottleLockedUntil(ctx, sc, ipKey, now); err != nil {
			return err
		} else if until != nil {
			d.Error = lockedMessage("Too many sign-in attempts came from your network.", *until, now)
			return errLocked
		}
		u, err := people.GetUserByEmail(ctx, sc, d.Email)
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return err
		}
		if u != nil && u.LockedUntil != nil && u.LockedUntil.After(now) {
			d.Error = lockedMessage("This account is locked after too many wrong passwords.", *u.LockedUntil, now)
			return errLocked
		}
		if u == nil || u.PasswordHash == nil || !u.Active() {
			auth.BurnTime(password) // as slow as a real check: no account enumeration by timing
			return errBadPassword
		}
		userID = u.ID
		if ok, err := auth.CheckPassword(*u.PasswordHash, password); err != nil {
			return err
		} else if !ok {
			return errBadPassword
		}
		return s.startSession(c, sc, u)
	})
	switch {
	case errors.Is(err, errLocked):
		s.renderStatus(c, http.StatusTooManyRequests, "signin", "Sign in", d)
	case errors.Is(err, errBadPassword):
		accountUntil, ipUntil, err := s.countFailure(c, userID, ipKey, now)
		if err != nil {
			s.fail(c, err)
			return
		}
		status := http.StatusUnauthorized
		d.Error = "That e-mail address and password do not match. Check them and try again."
		if accountUntil != nil {
			status, d.Error = http.StatusTooManyRequests, lockedMessage("This account is now locked after too many wrong passwords.", *accountUntil, now)
		} else if ipUntil != nil {
			status, d.Error = http.StatusTooManyRequests, lockedMessage("Too many sign-in attempts came from your network.", *ipUntil, now)
		}
		s.renderStatus(c, status, "signin", "Sign in", d)
	case err != nil:
		s.fail(c, err)
	default:
		http.Redirect(c.w, c.r, d.Next, http.StatusSeeOther)
	}
}

// countFailure records a failed attempt against the account (when one
// exists) and the client address, and returns any lock that starts.
func (s *Server) countFailure(c *call, userID, ipKey string, now time.Time) (account, ip *time.Time, err error) {
	err = c.asSystem(func(sc *db.Scope) error {
		ctx := c.r.Context()
		if userID != "" {
			if account, err = people.RecordFailedSignIn(ctx, sc, userID, now, accountMaxFailures, accountLockFor); err != nil {
				return err
			}
		}
		ip, err = identity.ThrottleFailure(ctx, sc, ipKey, now, ipWindow, ipMaxFailures, ipLockFor)
		return err
	})
	return account, ip, err
}

func lockedMessage(why string, until, now time.Time) string {
	minutes := int(until.Sub(now).Minutes()) + 1
	return fmt.Sprintf("%s Try again in %d minute%s, or reset your password.", why, minutes, plural(minutes))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
