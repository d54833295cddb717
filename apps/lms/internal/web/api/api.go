package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/audit"
	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/schools"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
	"bellwork.dev/bellwork/apps/lms/internal/web/admin"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// apiFail maps domain errors to problem documents; causes are logged, not
// sent. Invalid input answers 422 with each field's message, the same
// messages the HTML forms show.
func (s *Handlers) apiFail(c *kit.Call, err error) {
	if ve, ok := validate.As(err); ok {
		s.Invalid(c, ve)
		return
	}
	switch {
	case errors.Is(err, domain.ErrNotFound):
		s.Problem(c, http.StatusNotFound, "Not found", "There is no such object, or your role cannot see it.")
	case errors.Is(err, db.ErrForbidden):
		s.Problem(c, http.StatusForbidden, "Forbidden", "Your role cannot do this.")
	case errors.Is(err, db.ErrUnavailable):
		s.Problem(c, http.StatusServiceUnavailable, "District Unavailable", "This district's data cannot be reached right now; retry later.")
	default:
		s.Log.Error("API request failed", "request_id", c.ID, "route", c.Route.Pattern, "err", err)
		s.Problem(c, http.StatusInternalServerError, "Internal error", "The request failed; quote the request id when reporting it.")
	}
}

type meResponse struct {
	User        *people.User        `json:"user"`
	Role        db.Role             `json:"role"`
	SchoolID    *string             `json:"schoolId,omitempty"`
	Memberships []people.Membership `json:"memberships"`
	District    string              `json:"district"`
	CSRFToken   string              `json:"csrfToken"`
}

func (s *Handlers) Me(c *kit.Call) {
	kit.WriteJSON(c, http.StatusOK, meResponse{User: c.User, Role: c.Role(), SchoolID: c.Session.SchoolID,
		Memberships: c.Memberships, District: c.Tenant.Entry.DisplayName, CSRFToken: c.CSRF})
}

type usersResponse struct {
	Items []people.User `json:"items"`
	Total int           `json:"total"`
}

func (s *Handlers) Users(c *kit.Call) {
	uq, err := people.UserQueryFrom(c.R.URL.Query())
	if ve, ok := validate.As(err); ok {
		s.InvalidQuery(c, ve)
		return
	}
	var res usersResponse
	err = c.InTx(func(sc *db.Scope) (err error) {
		res.Items, res.Total, err = people.ListUsers(c.R.Context(), sc, uq)
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if res.Items == nil {
		res.Items = []people.User{}
	}
	kit.WriteJSON(c, http.StatusOK, res)
}

// newUserRequest is the body of POST /api/v1/users; fields marked
// omitempty may be left out (the OpenAPI document follows these tags).
type newUserRequest struct {
	Email      string `json:"email" format:"email"`
	GivenName  string `json:"givenName"`
	FamilyName string `json:"familyName,omitempty"`
	Role       string `json:"role" enum:"district_admin,school_admin,teacher,student,guardian"`
	SchoolID   string `json:"schoolId,omitempty" format:"uuid" doc:"Required for every role but district_admin"`
}

// apiCreateUser adds a user with one role and returns an invitation link
// for the caller to pass on.
func (s *Handlers) CreateUser(c *kit.Call) {
	var req newUserRequest
	dec := json.NewDecoder(http.MaxBytesReader(c.W, c.R.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		s.Problem(c, http.StatusBadRequest, "Invalid JSON", "The body must be a JSON object with email, givenName, familyName, role and schoolId.")
		return
	}
	in := people.Invitee{Email: req.Email, GivenName: req.GivenName, FamilyName: req.FamilyName, Role: req.Role, SchoolID: req.SchoolID}
	options, err := admin.SchoolsFor(c)
	if err != nil {
		s.apiFail(c, err)
		return
	}
	role, err := in.Check(c.Role(), admin.SchoolIDs(options))
	if err != nil {
		s.apiFail(c, err)
		return
	}
	var u *people.User
	token, hash := auth.NewToken()
	err = c.InTx(func(sc *db.Scope) error {
		ctx := c.R.Context()
		var err error
		if u, err = people.CreateUser(ctx, sc, people.NewUser{Email: in.Email, GivenName: in.GivenName, FamilyName: in.FamilyName}, role, in.SchoolID); err != nil {
			return err
		}
		if _, err := identity.EnsureInvitation(ctx, sc, in.Email, role, in.SchoolID, hash, s.Now().Add(14*24*time.Hour), c.User.ID); err != nil {
			return err
		}
		return audit.Audit(ctx, sc, "user.create", in.Email, map[string]any{"role": role, "via": "api"}, c.ID)
	})
	if errors.Is(err, domain.ErrConflict) {
		s.Problem(c, http.StatusConflict, "E-mail address taken", "Another user already has this e-mail address.")
		return
	}
	if err != nil {
		s.apiFail(c, err)
		return
	}
	c.W.Header().Set("Location", "/api/v1/users/"+u.ID)
	kit.WriteJSON(c, http.StatusCreated, createdUserResponse{User: u, InvitationURL: kit.SiteURL(c.R) + "/invitations/" + token})
}

func (s *Handlers) User(c *kit.Call) {
	var u *people.User
	var ms []people.Membership
	err := c.InTx(func(sc *db.Scope) (err error) {
		if u, err = people.GetUser(c.R.Context(), sc, c.R.PathValue("id")); err != nil {
			return err
		}
		ms, err = people.ListMemberships(c.R.Context(), sc, u.ID)
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	kit.WriteJSON(c, http.StatusOK, userDetailResponse{User: u, Memberships: ms})
}

func (s *Handlers) Schools(c *kit.Call) {
	list, err := admin.SchoolsFor(c)
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if list == nil {
		list = []schools.School{}
	}
	kit.WriteJSON(c, http.StatusOK, schoolList{Items: list})
}

func (s *Handlers) Terms(c *kit.Call) {
	var terms []classes.Term
	err := c.InTx(func(sc *db.Scope) (err error) {
		terms, err = classes.ListTerms(c.R.Context(), sc, c.Actor().SchoolID)
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if terms == nil {
		terms = []classes.Term{}
	}
	kit.WriteJSON(c, http.StatusOK, termList{Items: terms})
}

// apiSections lists the sections the caller's role is about: a teacher's
// own, a student's own, a guardian's children's, an admin's school or district.
func (s *Handlers) Sections(c *kit.Call) {
	var secs []classes.Section
	err := c.InTx(func(sc *db.Scope) (err error) {
		ctx := c.R.Context()
		switch c.Role() {
		case db.Teacher:
			secs, err = classes.MySections(ctx, sc, classes.Teacher)
		case db.Student:
			secs, err = classes.MySections(ctx, sc, classes.Student)
		case db.Guardian:
			kids, err := people.MyChildren(ctx, sc)
			if err != nil {
				return err
			}
			for _, k := range kids {
				more, err := classes.StudentSections(ctx, sc, k.UserID)
				if err != nil {
					return err
				}
				secs = append(secs, more...)
			}
		default:
			secs, err = classes.ListSections(ctx, sc, c.Actor().SchoolID)
		}
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if secs == nil {
		secs = []classes.Section{}
	}
	kit.WriteJSON(c, http.StatusOK, sectionList{Items: secs})
}

func (s *Handlers) Roster(c *kit.Call) {
	var roster []classes.RosterEntry
	err := c.InTx(func(sc *db.Scope) error {
		sec, err := classes.GetSection(c.R.Context(), sc, c.R.PathValue("id"))
		if err != nil {
			return err
		}
		roster, err = classes.Roster(c.R.Context(), sc, sec.ID)
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if roster == nil {
		roster = []classes.RosterEntry{}
	}
	kit.WriteJSON(c, http.StatusOK, rosterList{Items: roster})
}
