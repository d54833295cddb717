package web

import (
	"errors"
	"net/http"
	"strings"

	"bellwork.dev/bellwork/apps/lms/internal/audit"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
	"bellwork.dev/bellwork/apps/lms/internal/mail"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/schools"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

type userData struct {
	Person      *people.User
	Memberships []people.Membership
	Roles       []db.Role
	Schools     []schools.School
	InviteLink  string
	Error       string
	// SharedBeyondSchool: a school admin sees this person but may not change
	// them (a district admin, or someone also at another school).
	SharedBeyondSchool bool
}

func (s *Server) loadUserData(c *call) (*userData, error) {
	schools, err := s.schoolsFor(c)
	if err != nil {
		return nil, err
	}
	d := &userData{Roles: people.GrantableRoles(c.role()), Schools: schools}
	err = c.inTx(func(sc *db.Scope) (err error) {
		if d.Person, err = people.GetUser(c.r.Context(), sc, c.r.PathValue("id")); err != nil {
			return err
		}
		if d.Memberships, err = people.ListMemberships(c.r.Context(), sc, d.Person.ID); err != nil {
			return err
		}
		d.SharedBeyondSchool, err = people.SharedBeyondSchool(c.r.Context(), sc, d.Person.ID)
		return err
	})
	if t := c.r.URL.Query().Get("invite"); t != "" && len(t) < 100 {
		d.InviteLink = siteURL(c.r) + "/invitations/" + t
	}
	return d, err
}

func (s *Server) adminUser(c *call) {
	d, err := s.loadUserData(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "admin_user", d.Person.DisplayName, d)
}

// userAction runs an admin's change to a user and its audit entry in one
// transaction, then, once that committed, what must follow outside it
// (sending mail), and returns to the user's page.
func (s *Server) userAction(c *call, action, done string, fn func(sc *db.Scope, u *people.User) error, after ...func() error) {
	err := c.inTx(func(sc *db.Scope) error {
		u, err := people.GetManaged(c.r.Context(), sc, c.r.PathValue("id"))
		if err != nil {
			return err
		}
		if err := fn(sc, u); err != nil {
			return err
		}
		return audit.Audit(c.r.Context(), sc, action, u.Email, nil, c.id)
	})
	for _, then := range after {
		if err == nil {
			err = then()
		}
	}
	if invalid, ok := validate.As(err); ok {
		d, lerr := s.loadUserData(c)
		if lerr != nil {
			s.fail(c, lerr)
			return
		}
		d.Error = invalid.Error()
		s.renderStatus(c, http.StatusUnprocessableEntity, "admin_user", d.Person.DisplayName, d)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	redirect(c, "/admin/users/"+c.r.PathValue("id"), done)
}

func (s *Server) adminUserProfile(c *call) {
	given := strings.TrimSpace(c.r.PostFormValue("given_name"))
	family := strings.TrimSpace(c.r.PostFormValue("family_name"))
	s.userAction(c, "user.update", "user-saved", func(sc *db.Scope, u *people.User) error {
		if given == "" || len(given) > 100 || len(family) > 100 {
			return validate.Problem("Enter a given name of at most 100 characters.")
		}
		return people.UpdateProfile(c.r.Context(), sc, u.ID, given, family, u.Locale, derefOr(u.TimeZone, ""))
	})
}

func (s *Server) adminUserStatus(c *call) {
	status := c.r.PostFormValue("status")
	done := map[string]string{"active": "user-activated", "deactivated": "user-deactivated"}[status]
	s.userAction(c, "user."+status, done, func(sc *db.Scope, u *people.User) error {
		if done == "" {
			return validate.Problem("Unknown status.")
		}
		if u.ID == c.user.ID && status == "deactivated" {
			return validate.Problem("You cannot deactivate yourself. Ask another admin.")
		}
		if err := people.SetUserStatus(c.r.Context(), sc, u.ID, status); err != nil {
			return err
		}
		if status == "deactivated" {
			// In the admin's own transaction (row-level security lets an
			// admin end the sessions of people they manage): deactivated
			// and signed out happen together or not at all.
			_, err := identity.DeleteUserSessions(c.r.Context(), sc, u.ID)
			return err
		}
		return nil
	})
}

// adminUserReset e-mails the user a password reset link. The link is
// stored first, in the admin's transaction; the mail goes out after that
// is committed, and if it cannot be sent the link is withdrawn again (as
// the LMS: only it may delete resets) and the page says so, so the admin
// hears "sent" only when it was.
func (s *Server) adminUserReset(c *call) {
	var msg *mail.Message
	var tokenHash string
	s.userAction(c, "user.reset", "reset-sent", func(sc *db.Scope, u *people.User) error {
		if !u.Active() {
			return validate.Problem("Reactivate the user before resetting their password.")
		}
		// Stored in the admin's own transaction, with its audit entry.
		var err error
		msg, tokenHash, err = s.resetMessage(c, sc, u.Email)
		return err
	}, func() error {
		if msg == nil {
			return nil
		}
		err := s.Mailer.Send(c.r.Context(), *msg)
		if err == nil {
			return nil
		}
		s.Log.Warn("Password reset not e-mailed", "request_id", c.id, "err", err)
		if derr := c.asSystem(func(sys *db.Scope) error { return identity.DeletePasswordReset(c.r.Context(), sys, tokenHash) }); derr != nil {
			s.Log.Warn("Unsent password reset not deleted", "request_id", c.id, "err", derr)
		}
		if errors.Is(err, mail.ErrNoMail) {
			return validate.Problem("This district does not send e-mail from Bellwork, so no reset link was sent. Sign-in through the district's provider, or an invitation, still works.")
		}
		return validate.Problem("The reset link could not be e-mailed just now. Try again in a few minutes.")
	})
}

func (s *Server) adminUserAddRole(c *call) {
	schoolID := c.r.PostFormValue("school")
	options, err := s.schoolsFor(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	role, err := people.CheckGrant(c.role(), c.r.PostFormValue("role"), schoolID, schoolIDs(options))
	s.userAction(c, "user.role.add", "role-added", func(sc *db.Scope, u *people.User) error {
		if err != nil {
			return err
		}
		return people.AddMembership(c.r.Context(), sc, u.ID, role, schoolID)
	})
}

func (s *Server) adminUserRemoveRole(c *call) {
	s.userAction(c, "user.role.remove", "role-removed", func(sc *db.Scope, u *people.User) error {
		ms, err := people.ListMemberships(c.r.Context(), sc, u.ID)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.ID == c.r.PathValue("mid") {
				if u.ID == c.user.ID && m.Role == c.role() {
					return validate.Problem("You cannot remove the role you are using. Ask another admin.")
				}
				return people.RemoveMembership(c.r.Context(), sc, m.ID)
			}
		}
		return domain.ErrNotFound
	})
}
