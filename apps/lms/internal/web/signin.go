package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
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

func (s *Server) signin(c *call) {
	d := s.signinData(c)
	if !d.PasswordsEnabled {
		s.renderError(c, http.StatusForbidden, "Passwords are off", "This district signs in with its own accounts only. Use the sign-in button instead.")
		return
	}
	d.Email = strings.TrimSpace(c.r.PostFormValue("email"))
	password := c.r.PostFormValue("password")
	now := s.Now()
	address := "ip:" + throttleKey(s.clientIP(c.r))
	err := c.asSystem(func(sc *db.Scope) error {
		u, err := identity.CheckPassword(c.r.Context(), sc, d.Email, password, address, now)
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
		err = c.asSystem(func(sc *db.Scope) (err error) {
			locked, err = identity.RecordFailure(c.r.Context(), sc, wrong, now)
			return err
		})
		if err == nil && locked == nil {
			d.Error = "That e-mail address and password do not match. Check them and try again."
			s.renderStatus(c, http.StatusUnauthorized, "signin", "Sign in", d)
			return
		}
	}
	switch {
	case locked != nil || errors.As(err, &locked):
		d.Error = lockedMessage(lockReason(locked), locked.Until, now)
		s.renderStatus(c, http.StatusTooManyRequests, "signin", "Sign in", d)
	case err != nil:
		s.fail(c, err)
	default:
		http.Redirect(c.w, c.r, d.Next, http.StatusSeeOther)
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
