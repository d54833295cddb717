// Package db opens tenant databases and runs every unit of work in a
// transaction that first names its actor. bw_begin (see the migrations) sets
// the acting user, role and school with transaction-local settings, so the
// row-level-security policies see them and the settings never leak to the
// next user of a pooled connection, even behind PgBouncer in transaction mode.
package db

import "fmt"

// Role is what an actor acts as. A user may hold several roles (a teacher at
// two schools); a session acts as one at a time.
type Role string

// Roles, in the order the LMS lists them.
const (
	DistrictAdmin Role = "district_admin"
	SchoolAdmin   Role = "school_admin"
	Teacher       Role = "teacher"
	Student       Role = "student"
	Guardian      Role = "guardian"
	// System is the LMS itself: directory convergence, sign-in, background
	// jobs. It never acts for a signed-in user's request.
	System Role = "system"
)

// UserRoles are the roles a user can hold (System is not one).
var UserRoles = []Role{DistrictAdmin, SchoolAdmin, Teacher, Student, Guardian}

// ParseRole reads a role name.
func ParseRole(s string) (Role, error) {
	for _, r := range UserRoles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("role %q is not one of district_admin, school_admin, teacher, student, guardian", s)
}

// Label is the role as people read it.
func (r Role) Label() string {
	switch r {
	case DistrictAdmin:
		return "District admin"
	case SchoolAdmin:
		return "School admin"
	case Teacher:
		return "Teacher"
	case Student:
		return "Student"
	case Guardian:
		return "Guardian"
	case System:
		return "System"
	}
	return string(r)
}

// Actor is who a transaction acts for.
type Actor struct {
	UserID   string // empty for System
	Role     Role
	SchoolID string // empty for district admins and System
}

// SystemActor is the LMS acting for itself.
func SystemActor() Actor { return Actor{Role: System} }

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
