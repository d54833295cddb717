package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/audit"
	"bellwork.dev/bellwork/apps/lms/internal/auth"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/web/admin"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// newUserRequest is the body of POST /api/v1/users; fields marked
// omitempty may be left out (the OpenAPI document follows these tags).
type newUserRequest struct {
	Email      string `json:"email" format:"email"`
	GivenName  string `json:"givenName"`
	FamilyName string `json:"familyName,omitempty"`
	Role       string `json:"role" enum:"district_admin,school_admin,teacher,student,guardian"`
	SchoolID   string `json:"schoolId,omitempty" format:"uuid" doc:"Required for every role but district_admin"`
}

// CreateUser adds a user with one role and returns an invitation link
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

type createdUserResponse struct {
	User          *people.User `json:"user"`
	InvitationURL string       `json:"invitationURL" format:"uri" doc:"One-time link the new user opens to set a password"`
}
