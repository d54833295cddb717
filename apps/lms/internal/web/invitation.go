package web

import (
	"errors"
	"net/http"
	"strings"

	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

type invitationData struct {
	Email, RoleLabel, Name, Error string
}

func (s *Server) openInvitation(c *call) (*identity.Invitation, error) {
	var inv *identity.Invitation
	err := c.asSystem(func(sc *db.Scope) error {
		var err error
		inv, err = identity.GetInvitation(c.r.Context(), sc, auth.TokenSHA256(c.r.PathValue("token")), s.Now())
		return err
	})
	return inv, err
}

func (s *Server) invitationGone(c *call) {
	s.renderError(c, http.StatusNotFound, "This invitation no longer works",
		"The link has expired or was already used. If you set your password already, sign in; otherwise ask your admin for a new invitation.")
}

func (s *Server) invitationForm(c *call) {
	inv, err := s.openInvitation(c)
	if errors.Is(err, domain.ErrNotFound) {
		s.invitationGone(c)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "invitation", "Welcome", invitationData{Email: inv.Email, RoleLabel: inv.Role.Label()})
}

// acceptInvitation sets the invitee's password, creates the account and
// role if they do not exist yet, and signs them in.
func (s *Server) acceptInvitation(c *call) {
	name := strings.TrimSpace(c.r.PostFormValue("name"))
	pw := identity.NewPassword{Password: c.r.PostFormValue("password"), Confirm: c.r.PostFormValue("confirm")}
	var inv *identity.Invitation
	err := c.asSystem(func(sc *db.Scope) error {
		u, i, err := identity.AcceptInvitationAs(c.r.Context(), sc, auth.TokenSHA256(c.r.PathValue("token")), name, pw, s.Now(), c.id)
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
		s.renderStatus(c, http.StatusUnprocessableEntity, "invitation", "Welcome",
			invitationData{Email: inv.Email, RoleLabel: inv.Role.Label(), Name: name, Error: invalid.Error()})
	case err != nil:
		s.fail(c, err)
	default:
		redirect(c, "/", "password-set")
	}
}
