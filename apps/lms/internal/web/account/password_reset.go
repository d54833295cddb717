package account

import (
	"errors"
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
	"bellwork.dev/bellwork/apps/lms/internal/mail"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

type forgotData struct {
	Email             string
	Sent, Unavailable bool
	Error             string
}

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
	err := c.AsSystem(func(sc *db.Scope) error {
		r, err := identity.RequestPasswordReset(c.R.Context(), sc, email, throttleKey(s.ClientIP(c.R)), now)
		if r != nil {
			m := r.Mail(kit.SiteURL(c.R), c.Tenant.Entry.DisplayName, c.Tenant.Name(), now)
			msg = &m
		}
		return err
	})
	var locked *identity.Locked
	if errors.As(err, &locked) {
		s.RenderStatus(c, http.StatusTooManyRequests, "forgot", "Reset your password",
			forgotData{Error: lockedMessage("Too many password reset requests came from your network.", locked.Until, now)})
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
