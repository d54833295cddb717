package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/store"
)

// apiFail maps storage errors to problem documents; causes are logged, not sent.
func (s *Server) apiFail(c *call, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
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
	User        *store.User        `json:"user"`
	Role        db.Role            `json:"role"`
	SchoolID    *string            `json:"schoolId,omitempty"`
	Memberships []store.Membership `json:"memberships"`
	District    string             `json:"district"`
	CSRFToken   string             `json:"csrfToken"`
}

func (s *Server) apiMe(c *call) {
	writeJSON(c, http.StatusOK, meResponse{User: c.user, Role: c.role(), SchoolID: c.session.SchoolID,
		Memberships: c.memberships, District: c.tenant.Entry.DisplayName, CSRFToken: c.csrf})
}

type usersResponse struct {
	Items []store.User `json:"items"`
	Total int          `json:"total"`
}

func (s *Server) apiUsers(c *call) {
	q := c.r.URL.Query()
	uq := store.UserQuery{Search: q.Get("q"), Sort: q.Get("sort"), Status: q.Get("status")}
	if r := q.Get("role"); r != "" {
		role, err := db.ParseRole(r)
		if err != nil {
			s.problem(c, http.StatusBadRequest, "Invalid role", err.Error())
			return
		}
		uq.Role = role
	}
	if uq.Status != "" && uq.Status != "active" && uq.Status != "deactivated" {
		s.problem(c, http.StatusBadRequest, "Invalid status", "status must be active or deactivated")
		return
	}
	var err error
	if uq.Limit, err = intParam(q.Get("limit"), 50, 1, 200); err != nil {
		s.problem(c, http.StatusBadRequest, "Invalid limit", "limit must be a number from 1 to 200")
		return
	}
	if uq.Offset, err = intParam(q.Get("offset"), 0, 0, 1<<30); err != nil {
		s.problem(c, http.StatusBadRequest, "Invalid offset", "offset must be a number of at least 0")
		return
	}
	if uq.Sort != "" && !contains(store.UserSortKeys(), uq.Sort) {
		s.problem(c, http.StatusBadRequest, "Invalid sort", "sort must be one of "+strings.Join(store.UserSortKeys(), ", "))
		return
	}
	var res usersResponse
	err = c.inTx(func(sc *db.Scope) (err error) {
		res.Items, res.Total, err = store.ListUsers(c.r.Context(), sc, uq)
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if res.Items == nil {
		res.Items = []store.User{}
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
	req.Email = store.NormalizeEmail(req.Email)
	schools, err := s.schoolsFor(c)
	if err != nil {
		s.apiFail(c, err)
		return
	}
	role, roleErr := db.ParseRole(req.Role)
	var msg string
	switch {
	case !validEmail(req.Email):
		msg = "email must be a valid e-mail address"
	case strings.TrimSpace(req.GivenName) == "" || len(req.GivenName) > 100 || len(req.FamilyName) > 100:
		msg = "givenName is required (at most 100 characters)"
	case roleErr != nil:
		msg = roleErr.Error()
	default:
		msg = checkRoleSchool(c, role, req.SchoolID, schools)
	}
	if msg != "" {
		s.problem(c, http.StatusUnprocessableEntity, "Invalid user", msg)
		return
	}
	var u *store.User
	token, hash := auth.NewToken()
	err = c.inTx(func(sc *db.Scope) error {
		ctx := c.r.Context()
		var err error
		if u, err = store.CreateUser(ctx, sc, store.NewUser{Email: req.Email, GivenName: strings.TrimSpace(req.GivenName), FamilyName: strings.TrimSpace(req.FamilyName)}, role, req.SchoolID); err != nil {
			return err
		}
		if _, err := store.EnsureInvitation(ctx, sc, req.Email, role, req.SchoolID, hash, s.Now().Add(14*24*time.Hour), c.user.ID); err != nil {
			return err
		}
		return store.Audit(ctx, sc, "user.create", req.Email, map[string]any{"role": role, "via": "api"}, c.id)
	})
	if errors.Is(err, store.ErrConflict) {
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
	var u *store.User
	var ms []store.Membership
	err := c.inTx(func(sc *db.Scope) (err error) {
		if u, err = store.GetUser(c.r.Context(), sc, c.r.PathValue("id")); err != nil {
			return err
		}
		ms, err = store.ListMemberships(c.r.Context(), sc, u.ID)
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, userDetailResponse{User: u, Memberships: ms})
}

func (s *Server) apiSchools(c *call) {
	schools, err := s.schoolsFor(c)
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if schools == nil {
		schools = []store.School{}
	}
	writeJSON(c, http.StatusOK, schoolList{Items: schools})
}

func (s *Server) apiTerms(c *call) {
	var terms []store.Term
	err := c.inTx(func(sc *db.Scope) (err error) {
		terms, err = store.ListTerms(c.r.Context(), sc, c.actor().SchoolID)
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if terms == nil {
		terms = []store.Term{}
	}
	writeJSON(c, http.StatusOK, termList{Items: terms})
}

// apiSections lists the sections the caller's role is about: a teacher's
// own, a student's own, a guardian's children's, an admin's school or district.
func (s *Server) apiSections(c *call) {
	var secs []store.Section
	err := c.inTx(func(sc *db.Scope) (err error) {
		ctx := c.r.Context()
		switch c.role() {
		case db.Teacher:
			secs, err = store.SectionsOf(ctx, sc, c.user.ID, "teacher")
		case db.Student:
			secs, err = store.SectionsOf(ctx, sc, c.user.ID, "student")
		case db.Guardian:
			kids, err := store.ChildrenOf(ctx, sc, c.user.ID)
			if err != nil {
				return err
			}
			for _, k := range kids {
				more, err := store.SectionsOf(ctx, sc, k.UserID, "student")
				if err != nil {
					return err
				}
				secs = append(secs, more...)
			}
		default:
			secs, err = store.ListSections(ctx, sc, c.actor().SchoolID)
		}
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if secs == nil {
		secs = []store.Section{}
	}
	writeJSON(c, http.StatusOK, sectionList{Items: secs})
}

func (s *Server) apiRoster(c *call) {
	var roster []store.RosterEntry
	err := c.inTx(func(sc *db.Scope) error {
		sec, err := store.GetSection(c.r.Context(), sc, c.r.PathValue("id"))
		if err != nil {
			return err
		}
		roster, err = store.Roster(c.r.Context(), sc, sec.ID)
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if roster == nil {
		roster = []store.RosterEntry{}
	}
	writeJSON(c, http.StatusOK, rosterList{Items: roster})
}

func intParam(v string, def, lo, hi int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, errors.New("out of range")
	}
	return n, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
