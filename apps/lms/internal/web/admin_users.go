package web

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

func (s *Server) adminUsers(c *call) {
	uq, page := parseUserQuery(c.r)
	d := usersData{Query: uq, Roles: db.UserRoles, Sorts: people.UserSortKeys(), Page: page}
	err := c.inTx(func(sc *db.Scope) (err error) {
		d.Users, d.Total, err = people.ListUsers(c.r.Context(), sc, uq)
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	d.Pages = max(1, (d.Total+pageSize-1)/pageSize)
	link := func(p int) string {
		v := c.r.URL.Query()
		v.Set("page", strconv.Itoa(p))
		return "/admin/users?" + v.Encode()
	}
	if page > 1 {
		d.Prev = link(page - 1)
	}
	if page < d.Pages {
		d.Next = link(page + 1)
	}
	s.render(c, "admin_users", "Users", d)
}

type newUserData struct {
	Form    people.Invitee
	Roles   []db.Role
	Schools []schools.School
	Error   string
}

func (s *Server) schoolsFor(c *call) ([]schools.School, error) {
	var list []schools.School
	err := c.inTx(func(sc *db.Scope) (err error) {
		list, err = schools.ListSchools(c.r.Context(), sc, false)
		return err
	})
	if c.role() == db.SchoolAdmin {
		var mine []schools.School
		for _, sch := range list {
			if sch.ID == c.actor().SchoolID {
				mine = append(mine, sch)
			}
		}
		list = mine
	}
	return list, err
}

// schoolIDs lists the ids of schools, for people.CheckGrant.
func schoolIDs(list []schools.School) []string {
	ids := make([]string, len(list))
	for i, sch := range list {
		ids[i] = sch.ID
	}
	return ids
}

func (s *Server) adminUserNew(c *call) {
	options, err := s.schoolsFor(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "admin_user_new", "Add a user", newUserData{Roles: people.GrantableRoles(c.role()), Schools: options, Form: people.Invitee{Role: "teacher"}})
}

// adminUserCreate adds a person with one role and invites them by e-mail.
func (s *Server) adminUserCreate(c *call) {
	in := people.Invitee{Email: c.r.PostFormValue("email"), GivenName: c.r.PostFormValue("given_name"),
		FamilyName: c.r.PostFormValue("family_name"), Role: c.r.PostFormValue("role"), SchoolID: c.r.PostFormValue("school")}
	options, err := s.schoolsFor(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	role, invalid := in.Check(c.role(), schoolIDs(options))
	f := in
	d := newUserData{Form: f, Roles: people.GrantableRoles(c.role()), Schools: options}
	if ve, ok := validate.As(invalid); ok {
		d.Error = ve.Error()
		s.renderStatus(c, http.StatusUnprocessableEntity, "admin_user_new", "Add a user", d)
		return
	}
	var u *people.User
	var token string
	err = c.inTx(func(sc *db.Scope) error {
		ctx := c.r.Context()
		var err error
		u, err = people.CreateUser(ctx, sc, people.NewUser{Email: f.Email, GivenName: f.GivenName, FamilyName: f.FamilyName}, role, f.SchoolID)
		if err != nil {
			return err
		}
		var hash string
		token, hash = auth.NewToken()
		if _, err := identity.EnsureInvitation(ctx, sc, f.Email, role, f.SchoolID, hash, s.Now().Add(14*24*time.Hour), c.user.ID); err != nil {
			return err
		}
		return audit.Audit(ctx, sc, "user.create", f.Email, map[string]any{"role": role, "school": f.SchoolID}, c.id)
	})
	if errors.Is(err, domain.ErrConflict) {
		d.Error = "Someone already uses this e-mail address. Search for them in the user list and add a role instead."
		s.renderStatus(c, http.StatusConflict, "admin_user_new", "Add a user", d)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	link := siteURL(c.r) + "/invitations/" + token
	body := fmt.Sprintf("Hello %s,\n\n%s invited you to Bellwork for %s as %s.\nChoose your password here (the link works for 14 days):\n\n%s\n",
		f.GivenName, c.user.DisplayName, c.tenant.Entry.DisplayName, role.Label(), link)
	if err := s.Mailer.Send(c.r.Context(), mail.Message{Tenant: c.tenant.Name(), To: f.Email, Subject: "You are invited to Bellwork", Body: body, SentAt: s.Now()}); err != nil {
		// No e-mail here: the admin passes the link on themselves.
		s.Log.Warn("Invitation not e-mailed", "request_id", c.id, "err", err)
		http.Redirect(c.w, c.r, "/admin/users/"+u.ID+"?invite="+url.QueryEscape(token), http.StatusSeeOther)
		return
	}
	redirect(c, "/admin/users/"+u.ID, "user-created")
}
