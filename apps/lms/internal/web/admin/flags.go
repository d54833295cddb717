package admin

import (
	"bellwork.dev/bellwork/apps/lms/internal/features"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

type flagsData struct {
	Flags []features.Summary
}

// Flags serves GET /admin/flags: the feature flags the platform team
// published for the district, what each gives the district's users and,
// where it differs, each school's. It reads the directory entry, so it
// shows a flip as soon as the LMS has the new entry.
func (s *Handlers) Flags(c *kit.Call) {
	var schools []features.School
	for _, sc := range c.Tenant.Entry.Schools {
		if !sc.Archived {
			schools = append(schools, features.School{Code: sc.Code, Name: sc.Name})
		}
	}
	d := flagsData{Flags: features.Summarize(c.Tenant.Name(), c.Tenant.Entry.Features, schools)}
	s.Render(c, "admin_flags", "Feature flags", d)
}
