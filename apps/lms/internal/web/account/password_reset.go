package account

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
	"bellwork.dev/bellwork/apps/lms/internal/mail"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
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
	ResetsPerAccount  = 3
	resetAccountFor   = time.Hour
	ResetsPerAddress  = 10
	resetAddressFor   = 15 * time.Minute
	resetAddressBlock = 15 * time.Minute
)

type resetData struct {
	Invalid bool
	Error   string
}

// ForgotForm serves GET /password/forgot.
func (s *Handlers) ForgotForm(c *kit.Call) {
	_, noMail := s.Mailer.(mail.Discard)
	s.Render(c, "forgot", "Reset your password", forgotData{Unavailable: noMail})
}

// Forgot e-mails a reset link when the address has an account, and says the
// same thing either way, so the page cannot be used to find accounts.
func (s *Handlers) Forgot(c *kit.Call) {
	email := people.NormalizeEmail(c.R.PostFormValue("email"))
	if email == "" {
		s.ForgotForm(c)
		return
	}
	var msg *mail.Message
	now := s.Now()
	ipKey, accountKey := "reset-ip:"+throttleKey(s.ClientIP(c.R)), "reset-account:"+email
	err := c.AsSystem(func(sc *db.Scope) error {
		ctx := c.R.Context()
		if until, err := identity.ThrottleLockedUntil(ctx, sc, ipKey, now); err != nil {
			return err
		} else if until != nil {
			return lockedError(lockedMessage("Too many password reset requests came from your network.", *until, now))
		}
		if _, err := identity.ThrottleFailure(ctx, sc, ipKey, now, resetAddressFor, ResetsPerAddress, resetAddressBlock); err != nil {
			return err
		}
		if until, err := identity.ThrottleLockedUntil(ctx, sc, accountKey, now); err != nil || until != nil {
			return err // enough links are on their way to this address
		}
		if _, err := identity.ThrottleFailure(ctx, sc, accountKey, now, resetAccountFor, ResetsPerAccount, resetAccountFor); err != nil {
			return err
		}
		var err error
		msg, _, err = ResetMessage(c, sc, email, s.Now())
		return err
	})
	var locked lockedError
	if errors.As(err, &locked) {
		s.RenderStatus(c, http.StatusTooManyRequests, "forgot", "Reset your password", forgotData{Error: string(locked)})
		return
	}
	if err == nil && msg != nil {
		err = s.Mailer.Send(c.R.Context(), *msg)
	}
	if errors.Is(err, mail.ErrNoMail) {
		s.Render(c, "forgot", "Reset your password", forgotData{Unavailable: true})
		return
	}
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "forgot", "Reset your password", forgotData{Email: email, Sent: true})
}

// ResetMessage stores a reset token for an active account and returns the
// e-mail to send, or nil when there is no such account. An admin's reset
// (admin.UserReset) sends the same e-mail as the person's own request.
func ResetMessage(c *kit.Call, sc *db.Scope, email string, now time.Time) (*mail.Message, string, error) {
	u, err := people.GetUserByEmail(c.R.Context(), sc, email)
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
	if err := identity.CreatePasswordReset(c.R.Context(), sc, u.ID, hash, now.Add(resetValidFor)); err != nil {
		return nil, "", err
	}
	link := kit.SiteURL(c.R) + "/password/reset/" + token
	body := fmt.Sprintf("Hello %s,\n\nSomeone (hopefully you) asked to reset your Bellwork password for %s.\n"+
		"Choose a new password here within the next hour:\n\n%s\n\nIf you did not ask, ignore this e-mail: your password stays as it is.\n",
		u.DisplayName, c.Tenant.Entry.DisplayName, link)
	return &mail.Message{Tenant: c.Tenant.Name(), To: u.Email, Subject: "Reset your Bellwork password", Body: body, SentAt: now}, hash, nil
}

// ResetForm serves GET /password/reset/{token}.
func (s *Handlers) ResetForm(c *kit.Call) {
	err := c.AsSystem(func(sc *db.Scope) error {
		_, err := identity.PeekPasswordReset(c.R.Context(), sc, auth.TokenSHA256(c.R.PathValue("token")), s.Now())
		return err
	})
	if errors.Is(err, domain.ErrNotFound) {
		s.RenderStatus(c, http.StatusNotFound, "reset", "Choose a new password", resetData{Invalid: true})
		return
	}
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "reset", "Choose a new password", resetData{})
}

// Reset sets the new password, signs the user out everywhere else, and
// signs this browser in.
func (s *Handlers) Reset(c *kit.Call) {
	pw := identity.NewPassword{Password: c.R.PostFormValue("password"), Confirm: c.R.PostFormValue("confirm")}
	err := c.AsSystem(func(sc *db.Scope) error {
		u, err := identity.ResetPassword(c.R.Context(), sc, auth.TokenSHA256(c.R.PathValue("token")), pw, s.Now(), c.ID)
		if err != nil {
			return err
		}
		return s.startSession(c, sc, u)
	})
	invalid, isInvalid := validate.As(err)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		s.RenderStatus(c, http.StatusNotFound, "reset", "Choose a new password", resetData{Invalid: true})
	case isInvalid:
		s.RenderStatus(c, http.StatusUnprocessableEntity, "reset", "Choose a new password", resetData{Error: invalid.Error()})
	case err != nil:
		s.Fail(c, err)
	default:
		kit.Redirect(c, "/", "password-set")
	}
}

// lockedError carries the sentence shown when a request is throttled.
type lockedError string

func (e lockedError) Error() string { return string(e) }
