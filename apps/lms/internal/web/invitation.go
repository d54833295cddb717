package web

import (
	"errors"
	"net/http"
	"strings"

	"bellwork.dev/bellwork/apps/lms/internal/audit"
	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
	"bellwork.dev/bellwork/apps/lms/internal/people"
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
	hash := auth.TokenSHA256(c.r.PathValue("token"))
	name := strings.TrimSpace(c.r.PostFormValue("name"))
	password, confirm := c.r.PostFormValue("password"), c.r.PostFormValue("confirm")
	var d invitationData
	now := s.Now()
	err := c.asSystem(func(sc *db.Scope) error {
		ctx := c.r.Context()
		inv, err := identity.GetInvitation(ctx, sc, hash, now)
		if err != nil {
			return err
		}
		d = invitationData{Email: inv.Email, RoleLabel: inv.Role.Label(), Name: name}
		switch {
		case name == "":
			d.Error = "Enter your name."
		case password != confirm:
			d.Error = "The two passwords differ. Type the same password twice."
		default:
			d.Error = auth.ValidatePassword(password, inv.Email)
		}
		if d.Error != "" {
			return errFormInvalid
		}
		u, err := people.GetUserByEmail(ctx, sc, inv.Email)
		if errors.Is(err, domain.ErrNotFound) {
			given, family, _ := strings.Cut(name, " ")
			u, err = people.CreateUser(ctx, sc, people.NewUser{Email: inv.Email, GivenName: given, FamilyName: family}, "", "")
		}
		if err != nil {
			return err
		}
		if !u.Active() {
			d.Error = "This account is deactivated. Ask your admin to reactivate it."
			return errFormInvalid
		}
		if u.GivenName == "" {
			given, family, _ := strings.Cut(name, " ")
			if err := people.UpdateProfile(ctx, sc, u.ID, given, family, u.Locale, derefOr(u.TimeZone, "")); err != nil {
				return err
			}
		}
		if err := people.AddMembership(ctx, sc, u.ID, inv.Role, derefOr(inv.SchoolID, "")); err != nil {
			return err
		}
		pwHash, err := auth.HashPassword(password)
		if err != nil {
			return err
		}
		if err := people.SetPassword(ctx, sc, u.ID, pwHash); err != nil {
			return err
		}
		if err := identity.AcceptInvitation(ctx, sc, inv.ID, now); err != nil {
			return err
		}
		if err := audit.Audit(ctx, sc, "invitation.accept", inv.Email, map[string]any{"role": inv.Role}, c.id); err != nil {
			return err
		}
		u, err = people.GetUser(ctx, sc, u.ID)
		if err != nil {
			return err
		}
		return s.startSession(c, sc, u)
	})
	switch {
	case errors.Is(err, domain.ErrNotFound):
		s.invitationGone(c)
	case errors.Is(err, errFormInvalid):
		s.renderStatus(c, http.StatusUnprocessableEntity, "invitation", "Welcome", d)
	case err != nil:
		s.fail(c, err)
	default:
		redirect(c, "/", "password-set")
	}
}

// errFormInvalid stops a transaction whose form needs correcting; the
// handler shows the form again with the message.
var errFormInvalid = errors.New("form invalid")
