package api

import (
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

type meResponse struct {
	User        *people.User        `json:"user"`
	Role        db.Role             `json:"role"`
	SchoolID    *string             `json:"schoolId,omitempty"`
	Memberships []people.Membership `json:"memberships"`
	District    string              `json:"district"`
	CSRFToken   string              `json:"csrfToken"`
}

// Me serves GET /api/v1/me.
func (s *Handlers) Me(c *kit.Call) {
	kit.WriteJSON(c, http.StatusOK, meResponse{User: c.User, Role: c.Role(), SchoolID: c.Session.SchoolID,
		Memberships: c.Memberships, District: c.Tenant.Entry.DisplayName, CSRFToken: c.CSRF})
}
