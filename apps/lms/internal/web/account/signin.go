package account

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

type signinData struct {
	Email, Next, Error string
	PasswordsEnabled   bool
	OIDC               string
}

func (s *Handlers) signinData(c *kit.Call) signinData {
	d := signinData{Next: localPath(c.R.FormValue("next")), PasswordsEnabled: !c.Tenant.Entry.SignIn.PasswordsDisabled}
	if o := c.Tenant.Entry.SignIn.OIDC; o != nil {
		d.OIDC = o.DisplayName
	}
	return d
}

// SigninForm serves GET /signin.
func (s *Handlers) SigninForm(c *kit.Call) {
	if c.Session != nil {
		kit.Redirect(c, "/", "")
		return
	}
	d := s.signinData(c)
	if c.R.URL.Query().Get("error") == "oidc" {
		d.Error = "Sign-in with your district account did not work. Try again, or ask your school's Bellwork admin to check your account."
	}
	s.Render(c, "signin", "Sign in", d)
}

// Signin serves POST /signin.
func (s *Handlers) Signin(c *kit.Call) {
	d := s.signinData(c)
	if !d.PasswordsEnabled {
		s.RenderError(c, http.StatusForbidden, "Passwords are off", "This district signs in with its own accounts only. Use the sign-in button instead.")
		return
	}
	d.Email = strings.TrimSpace(c.R.PostFormValue("email"))
	password := c.R.PostFormValue("password")
	now := s.Now()
	address := "ip:" + throttleKey(s.ClientIP(c.R))
	err := c.AsSystem(func(sc *db.Scope) error {
		u, err := identity.CheckPassword(c.R.Context(), sc, d.Email, password, address, now)
		if err != nil {
			return err
		}
		return s.startSession(c, sc, u)
	})
	// A wrong password is counted in a transaction of its own: the
	// attempt's rolled back.
	var wrong *identity.WrongPassword
	var locked *identity.Locked
	if errors.As(err, &wrong) {
		err = c.AsSystem(func(sc *db.Scope) (err error) {
			locked, err = identity.RecordFailure(c.R.Context(), sc, wrong, now)
			return err
		})
		if err == nil && locked == nil {
			d.Error = "That e-mail address and password do not match. Check them and try again."
			s.RenderStatus(c, http.StatusUnauthorized, "signin", "Sign in", d)
			return
		}
	}
	switch {
	case locked != nil || errors.As(err, &locked):
		d.Error = lockedMessage(lockReason(locked), locked.Until, now)
		s.RenderStatus(c, http.StatusTooManyRequests, "signin", "Sign in", d)
	case err != nil:
		s.Fail(c, err)
	default:
		http.Redirect(c.W, c.R, d.Next, http.StatusSeeOther)
	}
}

// lockReason says why sign-in is locked, in a sentence.
func lockReason(l *identity.Locked) string {
	switch {
	case l.Account && l.Started:
		return "This account is now locked after too many wrong passwords."
	case l.Account:
		return "This account is locked after too many wrong passwords."
	}
	return "Too many sign-in attempts came from your network."
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
