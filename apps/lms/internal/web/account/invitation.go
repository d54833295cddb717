package account

import (
	"errors"
	"net/http"
	"strings"

	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

type invitationData struct {
	Email, RoleLabel, Name, Error string
}

func (s *Handlers) openInvitation(c *kit.Call) (*identity.Invitation, error) {
	var inv *identity.Invitation
	err := c.AsSystem(func(sc *db.Scope) error {
		var err error
		inv, err = identity.GetInvitation(c.R.Context(), sc, auth.TokenSHA256(c.R.PathValue("token")), s.Now())
		return err
	})
	return inv, err
}

func (s *Handlers) invitationGone(c *kit.Call) {
	s.RenderError(c, http.StatusNotFound, "This invitation no longer works",
		"The link has expired or was already used. If you set your password already, sign in; otherwise ask your admin for a new invitation.")
}

// InvitationForm serves GET /invitations/{token}.
func (s *Handlers) InvitationForm(c *kit.Call) {
	inv, err := s.openInvitation(c)
	if errors.Is(err, domain.ErrNotFound) {
		s.invitationGone(c)
		return
	}
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "invitation", "Welcome", invitationData{Email: inv.Email, RoleLabel: inv.Role.Label()})
}

// AcceptInvitation sets the invitee's password, creates the account and
// role if they do not exist yet, and signs them in.
func (s *Handlers) AcceptInvitation(c *kit.Call) {
	name := strings.TrimSpace(c.R.PostFormValue("name"))
	pw := identity.NewPassword{Password: c.R.PostFormValue("password"), Confirm: c.R.PostFormValue("confirm")}
	var inv *identity.Invitation
	err := c.AsSystem(func(sc *db.Scope) error {
		u, i, err := identity.AcceptInvitationAs(c.R.Context(), sc, auth.TokenSHA256(c.R.PathValue("token")), name, pw, s.Now(), c.ID)
		if inv = i; err != nil {
			return err
		}
		return s.startSession(c, sc, u)
	})
	invalid, isInvalid := validate.As(err)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		s.invitationGone(c)
	case isInvalid && inv != nil:
		s.RenderStatus(c, http.StatusUnprocessableEntity, "invitation", "Welcome",
			invitationData{Email: inv.Email, RoleLabel: inv.Role.Label(), Name: name, Error: invalid.Error()})
	case err != nil:
		s.Fail(c, err)
	default:
		kit.Redirect(c, "/", "password-set")
	}
}
