package admin

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
	"bellwork.dev/bellwork/apps/lms/internal/web/account"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
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

func (s *Handlers) loadUserData(c *kit.Call) (*userData, error) {
	schools, err := SchoolsFor(c)
	if err != nil {
		return nil, err
	}
	d := &userData{Roles: people.GrantableRoles(c.Role()), Schools: schools}
	err = c.InTx(func(sc *db.Scope) (err error) {
		if d.Person, err = people.GetUser(c.R.Context(), sc, c.R.PathValue("id")); err != nil {
			return err
		}
		if d.Memberships, err = people.ListMemberships(c.R.Context(), sc, d.Person.ID); err != nil {
			return err
		}
		d.SharedBeyondSchool, err = people.SharedBeyondSchool(c.R.Context(), sc, d.Person.ID)
		return err
	})
	if t := c.R.URL.Query().Get("invite"); t != "" && len(t) < 100 {
		d.InviteLink = kit.SiteURL(c.R) + "/invitations/" + t
	}
	return d, err
}

// User serves GET /admin/users/{id}.
func (s *Handlers) User(c *kit.Call) {
	d, err := s.loadUserData(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "admin_user", d.Person.DisplayName, d)
}

// userAction runs an admin's change to a user and its audit entry in one
// transaction, then, once that committed, what must follow outside it
// (sending mail), and returns to the user's page.
func (s *Handlers) userAction(c *kit.Call, action, done string, fn func(sc *db.Scope, u *people.User) error, after ...func() error) {
	err := c.InTx(func(sc *db.Scope) error {
		u, err := people.GetManaged(c.R.Context(), sc, c.R.PathValue("id"))
		if err != nil {
			return err
		}
		if err := fn(sc, u); err != nil {
			return err
		}
		return audit.Audit(c.R.Context(), sc, action, u.Email, nil, c.ID)
	})
	for _, then := range after {
		if err == nil {
			err = then()
		}
	}
	if invalid, ok := validate.As(err); ok {
		d, lerr := s.loadUserData(c)
		if lerr != nil {
			s.Fail(c, lerr)
			return
		}
		d.Error = invalid.Error()
		s.RenderStatus(c, http.StatusUnprocessableEntity, "admin_user", d.Person.DisplayName, d)
		return
	}
	if err != nil {
		s.Fail(c, err)
		return
	}
	kit.Redirect(c, "/admin/users/"+c.R.PathValue("id"), done)
}

// UserProfile serves POST /admin/users/{id}/profile.
func (s *Handlers) UserProfile(c *kit.Call) {
	given := strings.TrimSpace(c.R.PostFormValue("given_name"))
	family := strings.TrimSpace(c.R.PostFormValue("family_name"))
	s.userAction(c, "user.update", "user-saved", func(sc *db.Scope, u *people.User) error {
		if given == "" || len(given) > 100 || len(family) > 100 {
			return validate.Problem("Enter a given name of at most 100 characters.")
		}
		return people.UpdateProfile(c.R.Context(), sc, u.ID, given, family, u.Locale, kit.DerefOr(u.TimeZone, ""))
	})
}

// UserStatus serves POST /admin/users/{id}/status.
func (s *Handlers) UserStatus(c *kit.Call) {
	status := c.R.PostFormValue("status")
	done := map[string]string{"active": "user-activated", "deactivated": "user-deactivated"}[status]
	s.userAction(c, "user."+status, done, func(sc *db.Scope, u *people.User) error {
		if done == "" {
			return validate.Problem("Unknown status.")
		}
		if u.ID == c.User.ID && status == "deactivated" {
			return validate.Problem("You cannot deactivate yourself. Ask another admin.")
		}
		if err := people.SetUserStatus(c.R.Context(), sc, u.ID, status); err != nil {
			return err
		}
		if status == "deactivated" {
			// In the admin's own transaction (row-level security lets an
			// admin end the sessions of people they manage): deactivated
			// and signed out happen together or not at all.
			_, err := identity.DeleteUserSessions(c.R.Context(), sc, u.ID)
			return err
		}
		return nil
	})
}

// UserReset e-mails the user a password reset link. The link is
// stored first, in the admin's transaction; the mail goes out after that
// is committed, and if it cannot be sent the link is withdrawn again (as
// the LMS: only it may delete resets) and the page says so, so the admin
// hears "sent" only when it was.
func (s *Handlers) UserReset(c *kit.Call) {
	var msg *mail.Message
	var tokenHash string
	s.userAction(c, "user.reset", "reset-sent", func(sc *db.Scope, u *people.User) error {
		if !u.Active() {
			return validate.Problem("Reactivate the user before resetting their password.")
		}
		// Stored in the admin's own transaction, with its audit entry.
		var err error
		msg, tokenHash, err = account.ResetMessage(c, sc, u.Email, s.Now())
		return err
	}, func() error {
		if msg == nil {
			return nil
		}
		err := s.Mailer.Send(c.R.Context(), *msg)
		if err == nil {
			return nil
		}
		s.Log.Warn("Password reset not e-mailed", "request_id", c.ID, "err", err)
		if derr := c.AsSystem(func(sys *db.Scope) error { return identity.DeletePasswordReset(c.R.Context(), sys, tokenHash) }); derr != nil {
			s.Log.Warn("Unsent password reset not deleted", "request_id", c.ID, "err", derr)
		}
		if errors.Is(err, mail.ErrNoMail) {
			return validate.Problem("This district does not send e-mail from Bellwork, so no reset link was sent. Sign-in through the district's provider, or an invitation, still works.")
		}
		return validate.Problem("The reset link could not be e-mailed just now. Try again in a few minutes.")
	})
}

// UserAddRole serves POST /admin/users/{id}/roles.
func (s *Handlers) UserAddRole(c *kit.Call) {
	schoolID := c.R.PostFormValue("school")
	options, err := SchoolsFor(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	role, err := people.CheckGrant(c.Role(), c.R.PostFormValue("role"), schoolID, SchoolIDs(options))
	s.userAction(c, "user.role.add", "role-added", func(sc *db.Scope, u *people.User) error {
		if err != nil {
			return err
		}
		return people.AddMembership(c.R.Context(), sc, u.ID, role, schoolID)
	})
}

// UserRemoveRole serves POST /admin/users/{id}/roles/{mid}/delete.
func (s *Handlers) UserRemoveRole(c *kit.Call) {
	s.userAction(c, "user.role.remove", "role-removed", func(sc *db.Scope, u *people.User) error {
		ms, err := people.ListMemberships(c.R.Context(), sc, u.ID)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.ID == c.R.PathValue("mid") {
				if u.ID == c.User.ID && m.Role == c.Role() {
					return validate.Problem("You cannot remove the role you are using. Ask another admin.")
				}
				return people.RemoveMembership(c.R.Context(), sc, m.ID)
			}
		}
		return domain.ErrNotFound
	})
}
