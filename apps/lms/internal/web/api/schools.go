package api

import (
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/schools"
	"bellwork.dev/bellwork/apps/lms/internal/web/admin"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// Schools serves GET /api/v1/schools.
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

type schoolList struct {
	Items []schools.School `json:"items"`
}
