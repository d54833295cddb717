package web

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
)

// apiFail maps domain errors to problem documents; causes are logged, not
// sent. Invalid input answers 422 with each field's message, the same
// messages the HTML forms show.
func (s *Server) apiFail(c *call, err error) {
	if ve, ok := validate.As(err); ok {
		s.invalid(c, ve)
		return
	}
	switch {
	case errors.Is(err, domain.ErrNotFound):
		s.problem(c, http.StatusNotFound, "Not found", "There is no such object, or your role cannot see it.")
	case errors.Is(err, db.ErrForbidden):
		s.problem(c, http.StatusForbidden, "Forbidden", "Your role cannot do this.")
	case errors.Is(err, db.ErrUnavailable):
		s.problem(c, http.StatusServiceUnavailable, "District unavailable", "This district's data cannot be reached right now; retry later.")
	default:
		s.Log.Error("API request failed", "request_id", c.id, "route", c.route.Pattern, "err", err)
		s.problem(c, http.StatusInternalServerError, "Internal error", "The request failed; quote the request id when reporting it.")
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

func (s *Server) apiMe(c *call) {
	writeJSON(c, http.StatusOK, meResponse{User: c.user, Role: c.role(), SchoolID: c.session.SchoolID,
		Memberships: c.memberships, District: c.tenant.Entry.DisplayName, CSRFToken: c.csrf})
}

type usersResponse struct {
	Items []people.User `json:"items"`
	Total int           `json:"total"`
}

func (s *Server) apiUsers(c *call) {
	uq, err := people.UserQueryFrom(c.r.URL.Query())
	if ve, ok := validate.As(err); ok {
		s.invalidQuery(c, ve)
		return
	}
	var res usersResponse
	err = c.inTx(func(sc *db.Scope) (err error) {
		res.Items, res.Total, err = people.ListUsers(c.r.Context(), sc, uq)
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if res.Items == nil {
		res.Items = []people.User{}
	}
	writeJSON(c, http.StatusOK, res)
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
func (s *Server) apiCreateUser(c *call) {
	var req newUserRequest
	dec := json.NewDecoder(http.MaxBytesReader(c.w, c.r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		s.problem(c, http.StatusBadRequest, "Invalid JSON", "The body must be a JSON object with email, givenName, familyName, role and schoolId.")
		return
	}
	in := people.Invitee{Email: req.Email, GivenName: req.GivenName, FamilyName: req.FamilyName, Role: req.Role, SchoolID: req.SchoolID}
	options, err := s.schoolsFor(c)
	if err != nil {
		s.apiFail(c, err)
		return
	}
	role, err := in.Check(c.role(), schoolIDs(options))
	if err != nil {
		s.apiFail(c, err)
		return
	}
	var u *people.User
	token, hash := auth.NewToken()
	err = c.inTx(func(sc *db.Scope) error {
		ctx := c.r.Context()
		var err error
		if u, err = people.CreateUser(ctx, sc, people.NewUser{Email: in.Email, GivenName: in.GivenName, FamilyName: in.FamilyName}, role, in.SchoolID); err != nil {
			return err
		}
		if _, err := identity.EnsureInvitation(ctx, sc, in.Email, role, in.SchoolID, hash, s.Now().Add(14*24*time.Hour), c.user.ID); err != nil {
			return err
		}
		return audit.Audit(ctx, sc, "user.create", in.Email, map[string]any{"role": role, "via": "api"}, c.id)
	})
	if errors.Is(err, domain.ErrConflict) {
		s.problem(c, http.StatusConflict, "E-mail address taken", "Another user already has this e-mail address.")
		return
	}
	if err != nil {
		s.apiFail(c, err)
		return
	}
	c.w.Header().Set("Location", "/api/v1/users/"+u.ID)
	writeJSON(c, http.StatusCreated, createdUserResponse{User: u, InvitationURL: siteURL(c.r) + "/invitations/" + token})
}

func (s *Server) apiUser(c *call) {
	var u *people.User
	var ms []people.Membership
	err := c.inTx(func(sc *db.Scope) (err error) {
		if u, err = people.GetUser(c.r.Context(), sc, c.r.PathValue("id")); err != nil {
			return err
		}
		ms, err = people.ListMemberships(c.r.Context(), sc, u.ID)
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, userDetailResponse{User: u, Memberships: ms})
}

func (s *Server) apiSchools(c *call) {
	list, err := s.schoolsFor(c)
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if list == nil {
		list = []schools.School{}
	}
	writeJSON(c, http.StatusOK, schoolList{Items: list})
}

func (s *Server) apiTerms(c *call) {
	var terms []classes.Term
	err := c.inTx(func(sc *db.Scope) (err error) {
		terms, err = classes.ListTerms(c.r.Context(), sc, c.actor().SchoolID)
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if terms == nil {
		terms = []classes.Term{}
	}
	writeJSON(c, http.StatusOK, termList{Items: terms})
}

// apiSections lists the sections the caller's role is about: a teacher's
// own, a student's own, a guardian's children's, an admin's school or district.
func (s *Server) apiSections(c *call) {
	var secs []classes.Section
	err := c.inTx(func(sc *db.Scope) (err error) {
		ctx := c.r.Context()
		switch c.role() {
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
			secs, err = classes.ListSections(ctx, sc, c.actor().SchoolID)
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
	writeJSON(c, http.StatusOK, sectionList{Items: secs})
}

func (s *Server) apiRoster(c *call) {
	var roster []classes.RosterEntry
	err := c.inTx(func(sc *db.Scope) error {
		sec, err := classes.GetSection(c.r.Context(), sc, c.r.PathValue("id"))
		if err != nil {
			return err
		}
		roster, err = classes.Roster(c.r.Context(), sc, sec.ID)
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if roster == nil {
		roster = []classes.RosterEntry{}
	}
	writeJSON(c, http.StatusOK, rosterList{Items: roster})
}
