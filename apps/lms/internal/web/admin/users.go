package admin

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/audit"
	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
	"bellwork.dev/bellwork/apps/lms/internal/mail"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/schools"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

const pageSize = 50

type usersData struct {
	Users       []people.User
	Total       int
	Query       people.UserQuery
	Roles       []db.Role
	Sorts       []string
	Page, Pages int
	Prev, Next  string
}

// parseUserQuery reads the list filters; unknown values fall back to defaults.
func parseUserQuery(r *http.Request) (people.UserQuery, int) {
	q := r.URL.Query()
	uq := people.UserQuery{Search: strings.TrimSpace(q.Get("q")), Sort: q.Get("sort"), Limit: pageSize}
	if role, err := db.ParseRole(q.Get("role")); err == nil {
		uq.Role = role
	}
	if st := q.Get("status"); st == "active" || st == "deactivated" {
		uq.Status = st
	}
	if len(uq.Search) > 100 {
		uq.Search = uq.Search[:100]
	}
	valid := false
	for _, k := range people.UserSortKeys() {
		valid = valid || k == uq.Sort
	}
	if !valid {
		uq.Sort = "name"
	}
	page, _ := strconv.Atoi(q.Get("page"))
	if page < 1 {
		page = 1
	}
	uq.Offset = (page - 1) * pageSize
	return uq, page
}

// Users serves GET /admin/users.
func (s *Handlers) Users(c *kit.Call) {
	uq, page := parseUserQuery(c.R)
	d := usersData{Query: uq, Roles: db.UserRoles, Sorts: people.UserSortKeys(), Page: page}
	err := c.InTx(func(sc *db.Scope) (err error) {
		d.Users, d.Total, err = people.ListUsers(c.R.Context(), sc, uq)
		return err
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	d.Pages = max(1, (d.Total+pageSize-1)/pageSize)
	link := func(p int) string {
		v := c.R.URL.Query()
		v.Set("page", strconv.Itoa(p))
		return "/admin/users?" + v.Encode()
	}
	if page > 1 {
		d.Prev = link(page - 1)
	}
	if page < d.Pages {
		d.Next = link(page + 1)
	}
	s.Render(c, "admin_users", "Users", d)
}

type newUserData struct {
	Form    people.Invitee
	Roles   []db.Role
	Schools []schools.School
	Error   string
}

// SchoolsFor lists the schools the signed-in admin may give roles at: every
// school for a district admin, their own for a school admin.
func SchoolsFor(c *kit.Call) ([]schools.School, error) {
	var list []schools.School
	err := c.InTx(func(sc *db.Scope) (err error) {
		list, err = schools.ListSchools(c.R.Context(), sc, false)
		return err
	})
	if c.Role() == db.SchoolAdmin {
		var mine []schools.School
		for _, sch := range list {
			if sch.ID == c.Actor().SchoolID {
				mine = append(mine, sch)
			}
		}
		list = mine
	}
	return list, err
}

// SchoolIDs lists the ids of schools, for people.CheckGrant.
func SchoolIDs(list []schools.School) []string {
	ids := make([]string, len(list))
	for i, sch := range list {
		ids[i] = sch.ID
	}
	return ids
}

// UserNew serves GET /admin/users/new.
func (s *Handlers) UserNew(c *kit.Call) {
	options, err := SchoolsFor(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "admin_user_new", "Add a user", newUserData{Roles: people.GrantableRoles(c.Role()), Schools: options, Form: people.Invitee{Role: "teacher"}})
}

// UserCreate adds a person with one role and invites them by e-mail.
func (s *Handlers) UserCreate(c *kit.Call) {
	in := people.Invitee{Email: c.R.PostFormValue("email"), GivenName: c.R.PostFormValue("given_name"),
		FamilyName: c.R.PostFormValue("family_name"), Role: c.R.PostFormValue("role"), SchoolID: c.R.PostFormValue("school")}
	options, err := SchoolsFor(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	role, invalid := in.Check(c.Role(), SchoolIDs(options))
	f := in
	d := newUserData{Form: f, Roles: people.GrantableRoles(c.Role()), Schools: options}
	if ve, ok := validate.As(invalid); ok {
		d.Error = ve.Error()
		s.RenderStatus(c, http.StatusUnprocessableEntity, "admin_user_new", "Add a user", d)
		return
	}
	var u *people.User
	var token string
	err = c.InTx(func(sc *db.Scope) error {
		ctx := c.R.Context()
		var err error
		u, err = people.CreateUser(ctx, sc, people.NewUser{Email: f.Email, GivenName: f.GivenName, FamilyName: f.FamilyName}, role, f.SchoolID)
		if err != nil {
			return err
		}
		var hash string
		token, hash = auth.NewToken()
		if _, err := identity.EnsureInvitation(ctx, sc, f.Email, role, f.SchoolID, hash, s.Now().Add(14*24*time.Hour), c.User.ID); err != nil {
			return err
		}
		return audit.Audit(ctx, sc, "user.create", f.Email, map[string]any{"role": role, "school": f.SchoolID}, c.ID)
	})
	if errors.Is(err, domain.ErrConflict) {
		d.Error = "Someone already uses this e-mail address. Search for them in the user list and add a role instead."
		s.RenderStatus(c, http.StatusConflict, "admin_user_new", "Add a user", d)
		return
	}
	if err != nil {
		s.Fail(c, err)
		return
	}
	link := kit.SiteURL(c.R) + "/invitations/" + token
	body := fmt.Sprintf("Hello %s,\n\n%s invited you to Bellwork for %s as %s.\nChoose your password here (the link works for 14 days):\n\n%s\n",
		f.GivenName, c.User.DisplayName, c.Tenant.Entry.DisplayName, role.Label(), link)
	if err := s.Mailer.Send(c.R.Context(), mail.Message{Tenant: c.Tenant.Name(), To: f.Email, Subject: "You are invited to Bellwork", Body: body, SentAt: s.Now()}); err != nil {
		// No e-mail here: the admin passes the link on themselves.
		s.Log.Warn("Invitation not e-mailed", "request_id", c.ID, "err", err)
		http.Redirect(c.W, c.R, "/admin/users/"+u.ID+"?invite="+url.QueryEscape(token), http.StatusSeeOther)
		return
	}
	kit.Redirect(c, "/admin/users/"+u.ID, "user-created")
}
