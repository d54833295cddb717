package importer

import (
	"context"
	"encoding/json"
	"maps"
	"strings"

	"bellwork.dev/bellwork/apps/lms/internal/db"
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
	add(want.Ext != nil && !sameJSONObject(ex.Ext, want.Ext), "vendor fields")
	return diff
}

// sameJSONObject compares two JSON objects of strings by content, not
// spelling (Postgres writes jsonb back with its own spacing and order).
func sameJSONObject(a, b *string) bool {
	var ma, mb map[string]string
	if a != nil {
		_ = json.Unmarshal([]byte(*a), &ma)
	}
	if b != nil {
		_ = json.Unmarshal([]byte(*b), &mb)
	}
	return maps.Equal(ma, mb)
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

// loadHeld loads the memberships the users with these ids hold.
func (b *planBase) loadHeld(ctx context.Context, s *db.Scope, userIDs []string) error {
	rows, err := loadMemberships(ctx, s, userIDs)
	if err != nil {
		return err
	}
	b.held = heldMemberships(rows)
	return nil
}

// planUserUpdate plans writing want over ex, an existing user. Nothing is
// written when no field differs, nor for a user shared beyond a school
// admin's school (sharedNote tells the admin why). detail, unless empty,
// follows the changed fields in the plan.
func (b *planBase) planUserUpdate(ex, want *userRow, detail string) {
	diff := userDiff(ex, want)
	if len(diff) == 0 {
		b.p.unchanged(EntityUser)
		return
	}
	if b.shared[ex.ID] {
		b.sharedLeft[ex.ID] = true
		b.p.unchanged(EntityUser)
		return
	}
	description := changed(diff)
	if detail != "" {
		description += "; " + detail
	}
	b.c.userUpdates = append(b.c.userUpdates, *want)
	b.p.change(EntityUser, userAction(ex, want), person(want.DisplayName, want.Email), description)
}

// planUserMemberships adds the roles in wants that the user (id, shown as
// email and display) lacks; roles given another way (by hand, by another
// import) are kept. A shared user's missing roles are left to a district
// admin.
func (b *planBase) planUserMemberships(id, email, display string, wants []wantMembership) {
	held := b.held[id]
	for _, m := range wants {
		if held[m.key()] {
			b.p.unchanged(EntityMembership)
			continue
		}
		if b.shared[id] {
			b.sharedLeft[id] = true
			continue
		}
		b.c.membershipCreates = append(b.c.membershipCreates, membershipRow{UserID: id, SchoolID: schoolID(m.school), Role: m.role})
		b.p.change(EntityMembership, ActionCreate, person(display, email), describeMemberships([]wantMembership{m}))
	}
}

// wantLink is a guardian link an import asks for, with the names the plan
// shows: the guardian as person() writes them, the student by name.
type wantLink struct {
	link              linkRow
	guardian, student string
}

// planLinks adds the links in wants that do not exist yet, each once;
// links are added, never removed.
func (b *planBase) planLinks(ctx context.Context, s *db.Scope, wants []wantLink) error {
	var guardianIDs orderedSet
	for _, w := range wants {
		guardianIDs.add(w.link.GuardianID)
	}
	if len(guardianIDs.items) == 0 {
		return nil
	}
	existing, err := loadGuardianLinks(ctx, s, guardianIDs.items)
	if err != nil {
		return err
	}
	held := make(map[linkRow]bool, len(existing))
	for _, l := range existing {
		held[l] = true
	}
	for _, w := range wants {
		if held[w.link] {
			b.p.unchanged(EntityGuardianLink)
			continue
		}
		held[w.link] = true
		b.c.linkCreates = append(b.c.linkCreates, w.link)
		b.p.change(EntityGuardianLink, ActionCreate, w.guardian, "guardian of "+w.student)
	}
	return nil
}
