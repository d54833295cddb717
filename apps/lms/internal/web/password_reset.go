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
	"bellwork.dev/bellwork/apps/lms/internal/mail"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

const resetValidFor = time.Hour

type forgotData struct {
	Email             string
	Sent, Unavailable bool
	Error             string
}

// Reset requests are limited so the form cannot be used to flood an inbox
// or to probe many addresses: a few links per account an hour (more are
// quietly not sent: the page must not tell whether an account exists), and
// a bounded number of requests per network address.
const (
	resetsPerAccount  = 3
	resetAccountFor   = time.Hour
	resetsPerAddress  = 10
	resetAddressFor   = 15 * time.Minute
	resetAddressBlock = 15 * time.Minute
)

type resetData struct {
	Invalid bool
	Error   string
}

func (s *Server) forgotForm(c *call) {
	_, noMail := s.Mailer.(mail.Discard)
	s.render(c, "forgot", "Reset your password", forgotData{Unavailable: noMail})
}

// forgot e-mails a reset link when the address has an account, and says the
// same thing either way, so the page cannot be used to find accounts.
func (s *Server) forgot(c *call) {
	email := people.NormalizeEmail(c.r.PostFormValue("email"))
	if email == "" {
		s.forgotForm(c)
		return
	}
	var msg *mail.Message
	now := s.Now()
	ipKey, accountKey := "reset-ip:"+throttleKey(s.clientIP(c.r)), "reset-account:"+email
	err := c.asSystem(func(sc *db.Scope) error {
		ctx := c.r.Context()
		if until, err := identity.ThrottleLockedUntil(ctx, sc, ipKey, now); err != nil {
			return err
		} else if until != nil {
			return lockedError(lockedMessage("Too many password reset requests came from your network.", *until, now))
		}
		if _, err := identity.ThrottleFailure(ctx, sc, ipKey, now, resetAddressFor, resetsPerAddress, resetAddressBlock); err != nil {
			return err
		}
		if until, err := identity.ThrottleLockedUntil(ctx, sc, accountKey, now); err != nil || until != nil {
			return err // enough links are on their way to this address
		}
		if _, err := identity.ThrottleFailure(ctx, sc, accountKey, now, resetAccountFor, resetsPerAccount, resetAccountFor); err != nil {
			return err
		}
		var err error
		msg, _, err = s.resetMessage(c, sc, email)
		return err
	})
	var locked lockedError
	if errors.As(err, &locked) {
		s.renderStatus(c, http.StatusTooManyRequests, "forgot", "Reset your password", forgotData{Error: string(locked)})
		return
	}
	if err == nil && msg != nil {
		err = s.Mailer.Send(c.r.Context(), *msg)
	}
	if errors.Is(err, mail.ErrNoMail) {
		s.render(c, "forgot", "Reset your password", forgotData{Unavailable: true})
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "forgot", "Reset your password", forgotData{Email: email, Sent: true})
}

// resetMessage stores a reset token for an active account and returns the
// e-mail to send, or nil when there is no such account.
func (s *Server) resetMessage(c *call, sc *db.Scope, email string) (*mail.Message, string, error) {
	u, err := people.GetUserByEmail(c.r.Context(), sc, email)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	if !u.Active() {
		return nil, "", nil
	}
	token, hash := auth.NewToken()
	if err := identity.CreatePasswordReset(c.r.Context(), sc, u.ID, hash, s.Now().Add(resetValidFor)); err != nil {
		return nil, "", err
	}
	link := siteURL(c.r) + "/password/reset/" + token
	body := fmt.Sprintf("Hello %s,\n\nSomeone (hopefully you) asked to reset your Bellwork password for %s.\n"+
		"Choose a new password here within the next hour:\n\n%s\n\nIf you did not ask, ignore this e-mail: your password stays as it is.\n",
		u.DisplayName, c.tenant.Entry.DisplayName, link)
	return &mail.Message{Tenant: c.tenant.Name(), To: u.Email, Subject: "Reset your Bellwork password", Body: body, SentAt: s.Now()}, hash, nil
}

func (s *Server) resetForm(c *call) {
	err := c.asSystem(func(sc *db.Scope) error {
		_, err := identity.PeekPasswordReset(c.r.Context(), sc, auth.TokenSHA256(c.r.PathValue("token")), s.Now())
		return err
	})
	if errors.Is(err, domain.ErrNotFound) {
		s.renderStatus(c, http.StatusNotFound, "reset", "Choose a new password", resetData{Invalid: true})
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "reset", "Choose a new password", resetData{})
}

// reset sets the new password, signs the user out everywhere else, and
// signs this browser in.
func (s *Server) reset(c *call) {
	pw := identity.NewPassword{Password: c.r.PostFormValue("password"), Confirm: c.r.PostFormValue("confirm")}
	err := c.asSystem(func(sc *db.Scope) error {
		u, err := identity.ResetPassword(c.r.Context(), sc, auth.TokenSHA256(c.r.PathValue("token")), pw, s.Now(), c.id)
		if err != nil {
			return err
		}
		return s.startSession(c, sc, u)
	})
	invalid, isInvalid := validate.As(err)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		s.renderStatus(c, http.StatusNotFound, "reset", "Choose a new password", resetData{Invalid: true})
	case isInvalid:
		s.renderStatus(c, http.StatusUnprocessableEntity, "reset", "Choose a new password", resetData{Error: invalid.Error()})
	case err != nil:
		s.fail(c, err)
	default:
		redirect(c, "/", "password-set")
	}
}

// siteURL is the scheme and host the request came to.
func siteURL(r *http.Request) string {
	scheme := "https"
	if !isHTTPS(r) && isLocalHost(r.Host) {
		scheme = "http"
	}
	return scheme + "://" + strings.ToLower(r.Host)
}

// lockedError carries the sentence shown when a request is throttled.
type lockedError string

func (e lockedError) Error() string { return string(e) }
