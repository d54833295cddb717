package people

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// UserQueryFrom reads the JSON API's list parameters (q, role, status,
// sort, limit, offset). Unlike the admin page, which falls back to its
// defaults, it refuses a value it does not know, naming the parameter, so
// a script learns of its mistake instead of getting a different list.
func UserQueryFrom(q url.Values) (UserQuery, error) {
	uq := UserQuery{Search: q.Get("q"), Sort: q.Get("sort"), Status: q.Get("status")}
	var ve validate.Errors
	if r := q.Get("role"); r != "" {
		role, err := db.ParseRole(r)
		if err != nil {
			ve.Add("role", "role must be one of "+roleList()+".")
		}
		uq.Role = role
	}
	if uq.Status != "" && uq.Status != "active" && uq.Status != "deactivated" {
		ve.Add("status", "status must be active or deactivated.")
	}
	var ok bool
	if uq.Limit, ok = intParam(q.Get("limit"), 50, 1, 200); !ok {
		ve.Add("limit", "limit must be a number from 1 to 200.")
	}
	if uq.Offset, ok = intParam(q.Get("offset"), 0, 0, 1<<30); !ok {
		ve.Add("offset", "offset must be a number of at least 0.")
	}
	if uq.Sort != "" && !slices.Contains(UserSortKeys(), uq.Sort) {
		ve.Add("sort", "sort must be one of "+strings.Join(UserSortKeys(), ", ")+".")
	}
	return uq, ve.Err()
}

func roleList() string {
	names := make([]string, len(db.UserRoles))
	for i, r := range db.UserRoles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// intParam reads an optional whole number within [lo, hi].
func intParam(v string, def, lo, hi int) (int, bool) {
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, false
	}
	return n, true
}
