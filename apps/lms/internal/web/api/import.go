package api

import (
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/web/admin"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// Import serves GET /api/v1/imports/{id}.
func (s *Handlers) Import(c *kit.Call) {
	d, err := admin.LoadImport(c)
	if err != nil {
		s.apiFail(c, err)
		return
	}
	kit.WriteJSON(c, http.StatusOK, admin.ProgressOf(d))
}
