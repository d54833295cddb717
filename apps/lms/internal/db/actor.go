// Package db opens tenant databases and runs every unit of work in a
// transaction that first establishes its actor in a way the database
// checks: a signed-in user's transaction starts with bw_session_begin(token)
// on the app role, which verifies the live session and records its user,
// role and school where only the schema owner can write (a row in a temporary
// table the app role can neither read nor write). The row outlives the
// transaction, but it is keyed by a random UUID held only in a
// transaction-local setting (bw.context_key, since migration 00004), so the
// next user of a pooled connection, even behind PgBouncer in transaction
// mode, starts without the key and cannot reach the context left behind. The
// LMS's own work runs on a separate system login, the only one row-level
// security treats as system. See docs/lms.md, "Row-level security".
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
	// UserID is empty for System, except in InOwnTx, where it is the
	// session's user as the database read it.
	UserID   string
	Role     Role
	SchoolID string // empty for district admins and System
	// Session is the signed-in browser's session token (the cookie's value,
	// never logged): the database derives the context from it, so UserID,
	// Role and SchoolID only describe what it will find.
	Session string
	// OnBehalf marks system work acting for a user without their session
	// (a background job applying an admin's import): it runs on the system
	// login, narrowed to this user's context, which the database verifies.
	OnBehalf bool
}

// SystemActor is the LMS acting for itself.
func SystemActor() Actor { return Actor{Role: System} }

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
