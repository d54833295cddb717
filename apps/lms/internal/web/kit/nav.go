package kit

import (
	"strings"

	"bellwork.dev/bellwork/apps/lms/internal/authz"
	"bellwork.dev/bellwork/apps/lms/internal/db"
)

type navItem struct {
	Label, Href string
	Active      bool
}

// navFor lists the sections a role may open, in the order teachers expect.
func navFor(role db.Role, path string) []navItem {
	items := []struct {
		label, href string
		action      authz.Action
	}{
		{"Home", "/", authz.Signed},
		{"Plan", "/plan", authz.ViewTeaching},
		{"Teach", "/teach", authz.ViewTeaching},
		{"Learn", "/learn", authz.ViewLearning},
		{"Alerts", "/guardian/alerts", authz.ManageAlerts},
		{"Assess", "/assess", authz.ViewGradebook},
		{"Report", "/report", authz.ViewReports},
		{"Admin", "/admin/users", authz.ViewUsers},
	}
	var out []navItem
	for _, it := range items {
		if !authz.Allowed(role, it.action) {
			continue
		}
		active := path == it.href || (it.href != "/" && strings.HasPrefix(path, it.href)) ||
			(it.label == "Admin" && strings.HasPrefix(path, "/admin"))
		out = append(out, navItem{Label: it.label, Href: it.href, Active: active})
	}
	return out
}
