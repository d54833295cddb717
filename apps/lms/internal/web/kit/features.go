package kit

import (
	"bellwork.dev/bellwork/apps/lms/internal/features"
	"bellwork.dev/bellwork/pkg/flags"
)

// Features evaluates the district's feature flags for this request: the
// flags of the directory entry the request was served from, for the
// district, the school the user acts at, their role and their id (and
// "grade", a student's grade, as a user attribute). Handlers ask
// c.Features().Enabled("key"); templates ask {{.Features.Enabled "key"}}.
func (c *Call) Features() features.Features {
	if c.Tenant == nil {
		return features.Features{}
	}
	return features.New(c.Tenant.Entry.Features, c.FlagContext(), c.flagMetrics)
}

// FlagContext is who flags are evaluated for in this request.
func (c *Call) FlagContext() flags.Context {
	var fc flags.Context
	if c.Tenant != nil {
		fc.Tenant = c.Tenant.Name()
	}
	if c.Session == nil {
		return fc
	}
	fc.Role = string(c.Session.Role)
	fc.UserID = c.Session.UserID
	// The school the user acts at: the membership's, never the branding
	// fallback a district admin of a one-school district gets.
	if c.Session.SchoolID != nil && c.School != nil && c.School.ID == *c.Session.SchoolID {
		fc.School = c.School.Code
	}
	if c.User != nil && c.User.Grade != nil && *c.User.Grade != "" {
		fc.Attributes = map[string]string{"grade": *c.User.Grade}
	}
	return fc
}
