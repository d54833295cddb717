package kit

import (
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/authz"
	"bellwork.dev/bellwork/apps/lms/internal/db"
)

// funcs are the helpers every template may call.
var funcs = template.FuncMap{
	// isoDate is a date as a date input wants it.
	"isoDate": func(t time.Time) string { return t.Format(time.DateOnly) },
	"date": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			return v.Format("Jan 2, 2006")
		case *time.Time:
			if v == nil {
				return "—"
			}
			return v.Format("Jan 2, 2006")
		}
		return ""
	},
	"datetime": func(t *time.Time) string {
		if t == nil {
			return "never"
		}
		return t.UTC().Format("Jan 2, 2006 15:04 UTC")
	},
	"join": strings.Join,
	"deref": func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	},
	"query": func(base string, kv ...string) string {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] != "" {
				v.Set(kv[i], kv[i+1])
			}
		}
		if len(v) == 0 {
			return base
		}
		return base + "?" + v.Encode()
	},
	"percent": func(n, total int) int {
		if total <= 0 {
			return 0
		}
		return n * 100 / total
	},
	"add": func(a, b int) int { return a + b },
	// dict builds the map a partial takes: dict "title" … "body" … for
	// "empty", dict "tab" … "role" .Role for "admin-tabs".
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
	"roleLabel": func(r db.Role) string { return r.Label() },
	// can asks the permission table whether a role (as a string) may take
	// an action, so links to pages a role cannot open are not shown.
	"can": func(role, action string) bool { return authz.Allowed(db.Role(role), authz.Action(action)) },
	// inZone is a time as people read it in a school's time zone.
	"inZone": func(t *time.Time, zone string) string {
		if t == nil {
			return "no due date"
		}
		loc, err := time.LoadLocation(zone)
		if err != nil {
			loc = time.UTC
		}
		return t.In(loc).Format("Mon Jan 2, 3:04 PM MST")
	},
	// points is a score without trailing zeros ("—" for none).
	"points": func(f *float64) string {
		if f == nil {
			return "—"
		}
		return strconv.FormatFloat(*f, 'f', -1, 64)
	},
	"contains": slices.Contains[[]string, string],
	"str":      func(v any) string { return fmt.Sprint(v) },
	"ptr":      func(t time.Time) *time.Time { return &t },
}
