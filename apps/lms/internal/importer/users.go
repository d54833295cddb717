package importer

import (
	"strings"
)

// This file holds what both kinds of import do with users.

const (
	statusActive      = "active"
	statusDeactivated = "deactivated"
)

// membershipKey names a role at a school ("" for district-wide roles).
type membershipKey struct{ schoolID, role string }

// wantMembership is a role an import gives a user.
type wantMembership struct {
	school *school // nil for district admins
	role   string
}

func (m wantMembership) key() membershipKey {
	if m.school == nil {
		return membershipKey{"", m.role}
	}
	return membershipKey{m.school.ID, m.role}
}

// addMembership adds a role unless it is listed already.
func addMembership(ms []wantMembership, m wantMembership) []wantMembership {
	for _, have := range ms {
		if have.key() == m.key() {
			return ms
		}
	}
	return append(ms, m)
}

// describeMemberships is "student at Grand Bend High School" or
// "district admin; school admin at Lincoln High".
func describeMemberships(ms []wantMembership) string {
	if len(ms) == 0 {
		return "no role"
	}
	var parts []string
	var atSchools []string
	role := ""
	flush := func() {
		if role != "" {
			parts = append(parts, roleLabel(role)+" at "+strings.Join(atSchools, ", "))
		}
		role, atSchools = "", nil
	}
	for _, m := range ms {
		if m.school == nil {
			flush()
			parts = append(parts, roleLabel(m.role))
			continue
		}
		if m.role != role {
			flush()
			role = m.role
		}
		atSchools = append(atSchools, m.school.Name)
	}
	flush()
	return strings.Join(parts, "; ")
}

// heldMemberships indexes memberships by user.
func heldMemberships(rows []membershipRow) map[string]map[membershipKey]bool {
	out := map[string]map[membershipKey]bool{}
	for _, m := range rows {
		held := out[m.UserID]
		if held == nil {
			held = map[membershipKey]bool{}
			out[m.UserID] = held
		}
		held[membershipKey{deref(m.SchoolID), m.Role}] = true
	}
	return out
}

// userDiff lists what an update changes in a user.
func userDiff(ex, want *userRow) []string {
	var diff []string
	add := func(differs bool, field string) {
		if differs {
			diff = append(diff, field)
		}
	}
	add(ex.Email != want.Email, "e-mail")
	add(ex.GivenName != want.GivenName, "given name")
	add(ex.FamilyName != want.FamilyName, "family name")
	add(ex.DisplayName != want.DisplayName && ex.GivenName == want.GivenName && ex.FamilyName == want.FamilyName, "display name")
	add(deref(ex.Grade) != deref(want.Grade), "grade")
	add(deref(ex.Username) != deref(want.Username), "username")
	add(deref(ex.SourcedID) != deref(want.SourcedID), "sourcedId")
	add(ex.Status != want.Status, "status")
	return diff
}

// userAction is what writing want over ex counts as.
func userAction(ex, want *userRow) string {
	if ex.Status == statusActive && want.Status == statusDeactivated {
		return ActionDeactivate
	}
	return ActionUpdate
}

func (c *changes) createUser(u userRow, ref rowRef) {
	c.userCreates = append(c.userCreates, u)
	c.userCreateRows = append(c.userCreateRows, ref)
}
