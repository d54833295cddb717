package importer

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// This file plans people: users, their memberships (roles at schools) and
// the links between guardians and students.

// bundleUser is a row of users.csv as the plan sees it.
type bundleUser struct {
	line           int
	sourcedID      string
	kind           string // student, teacher, administrator or guardian; "" for roles Bellwork skips
	active         bool   // not marked tobedeleted
	memberships    []wantMembership
	ownSchools     []*school // a guardian's own school orgs, used when no student gives one
	unresolvedOrgs bool
	problem        bool   // a Problem names this row; it is planned no further
	id             string // set once matched or planned
	email, display string
}

type guardianPair struct{ guardian, student *bundleUser }

// roleKind groups OneRoster roles by what Bellwork makes of them.
func roleKind(role string) string {
	switch role {
	case "student", "teacher", "administrator":
		return role
	case "guardian", "parent", "relative":
		return "guardian"
	}
	return "" // aide, proctor
}

// resolveUsers works out each user's roles: students and teachers at their
// school orgs and the schools of their classes, administrators at their
// schools (district admin for the district), guardians at their students'
// schools (or their own school orgs).
func (bp *bundlePlanner) resolveUsers() error {
	enrolledAt := map[string][]*school{}
	for _, e := range bp.b.Enrollments {
		if _, ok := enrollmentRole(e.Role); e.Status == tobedeleted || !ok {
			continue
		}
		if sec := bp.sections[e.ClassSourcedID]; sec != nil {
			enrolledAt[e.UserSourcedID] = append(enrolledAt[e.UserSourcedID], bp.orgs.schoolByID(sec.schoolID))
		}
	}
	for i := range bp.b.Users {
		u := &bp.b.Users[i]
		bu := &bundleUser{line: u.Line, sourcedID: u.SourcedID, kind: roleKind(u.Role), active: u.Status != tobedeleted}
		bp.users[u.SourcedID] = bu
		if bu.kind == "" {
			bp.skipped.skippedRoles++
			bp.p.skip("users.csv", u.Line, "role %s has no Bellwork role", u.Role)
			continue
		}
		ref := rowRef{"users.csv", u.Line, "orgSourcedIds"}
		var schools []*school
		for _, org := range u.OrgSourcedIDs {
			sc, ok := bp.orgs.resolve(org, ref)
			switch {
			case !ok:
				bu.unresolvedOrgs = true
			case sc != nil:
				schools = append(schools, sc)
			case bu.kind == "administrator":
				bu.memberships = addMembership(bu.memberships, wantMembership{nil, "district_admin"})
			}
		}
		switch bu.kind {
		case "student", "teacher":
			for _, sc := range append(schools, enrolledAt[u.SourcedID]...) {
				bu.memberships = addMembership(bu.memberships, wantMembership{sc, bu.kind})
			}
		case "administrator":
			for _, sc := range schools {
				bu.memberships = addMembership(bu.memberships, wantMembership{sc, "school_admin"})
			}
		case "guardian":
			bu.ownSchools = schools
		}
	}
	bp.findGuardianPairs()
	for _, pair := range bp.pairs {
		g := pair.guardian
		for _, m := range pair.student.memberships {
			if m.role == "student" {
				g.memberships = addMembership(g.memberships, wantMembership{m.school, "guardian"})
			}
		}
	}
	for i := range bp.b.Users {
		bu := bp.users[bp.b.Users[i].SourcedID]
		if bu.kind == "guardian" && len(bu.memberships) == 0 {
			for _, sc := range bu.ownSchools {
				bu.memberships = addMembership(bu.memberships, wantMembership{sc, "guardian"})
			}
		}
		if bu.kind == "" || !bu.active {
			continue
		}
		bp.checkUserScope(bu)
		if len(bu.memberships) == 0 && !bu.unresolvedOrgs && !bu.problem {
			bp.skipped.noRole++
		}
	}
	return nil
}

// checkUserScope reports a row a school admin may not import: one with a
// role at another school or district-wide, or with no school at all.
func (bp *bundlePlanner) checkUserScope(bu *bundleUser) {
	if bp.scope == nil {
		return
	}
	ref := rowRef{"users.csv", bu.line, "orgSourcedIds"}
	if len(bu.memberships) == 0 && !bu.unresolvedOrgs {
		bu.problem = bp.outsideScope(nil, ref)
		return
	}
	for _, m := range bu.memberships {
		if bp.outsideScope(m.school, ref) {
			bu.problem = true
			return
		}
	}
}

// findGuardianPairs reads agentSourcedIds: a student's guardians and a
// guardian's students, each pair once.
func (bp *bundlePlanner) findGuardianPairs() {
	seen := map[guardianPair]bool{}
	add := func(g, s *bundleUser) {
		if p := (guardianPair{g, s}); !seen[p] {
			seen[p] = true
			bp.pairs = append(bp.pairs, p)
		}
	}
	for i := range bp.b.Users {
		u := &bp.b.Users[i]
		bu := bp.users[u.SourcedID]
		for _, id := range u.AgentSourcedIDs {
			agent := bp.users[id]
			switch {
			case agent == nil: // the parser reports references to missing users
			case bu.kind == "student" && agent.kind == "guardian":
				add(agent, bu)
			case bu.kind == "guardian" && agent.kind == "student":
				add(bu, agent)
			default:
				bp.skipped.otherAgents++
			}
		}
	}
}

// planUsers matches rows to users by sourcedId, then by e-mail address, and
// deactivates imported users the bundle no longer lists.
func (bp *bundlePlanner) planUsers() error {
	rows := bp.b.Users
	emails := make([]string, 0, len(rows))
	for _, u := range rows {
		if u.Email != "" {
			emails = append(emails, u.Email)
		} else {
			emails = append(emails, placeholderEmail(u.SourcedID))
		}
	}
	existing, err := loadUsers(bp.ctx, bp.s, emails, true)
	if err != nil {
		return err
	}
	ids := make([]string, len(existing))
	bySourced := make(map[string]*userRow, len(existing))
	byEmail := make(map[string]*userRow, len(existing))
	bp.userNames = make(map[string]string, len(existing))
	for i := range existing {
		ex := &existing[i]
		ids[i] = ex.ID
		bp.userNames[ex.ID] = ex.DisplayName
		byEmail[ex.Email] = ex
		if ex.SourcedID != nil {
			bySourced[*ex.SourcedID] = ex
		}
	}
	if err := bp.loadHeld(bp.ctx, bp.s, ids); err != nil {
		return err
	}

	matched := map[*bundleUser]*userRow{}
	claimed := map[string]*bundleUser{}
	emailRow := map[string]*bundleUser{}
	for _, u := range rows {
		bu := bp.users[u.SourcedID]
		if bu.kind == "" || bu.problem {
			continue
		}
		if u.Email != "" {
			if other := emailRow[u.Email]; other != nil {
				bp.p.problem("users.csv", u.Line, "email", "email %s is already used on line %d; every user needs their own address", u.Email, other.line)
				bu.problem = true
				continue
			}
			emailRow[u.Email] = bu
		}
		if ex := bySourced[u.SourcedID]; ex != nil {
			matched[bu], claimed[ex.ID] = ex, bu
		}
	}
	for _, u := range rows {
		bu := bp.users[u.SourcedID]
		if bu.kind == "" || bu.problem || matched[bu] != nil || u.Email == "" {
			continue
		}
		ex := byEmail[u.Email]
		if ex == nil {
			continue
		}
		if other := claimed[ex.ID]; other != nil {
			bp.p.problem("users.csv", u.Line, "email", "email %s belongs to the user on line %d (sourcedId %s); every user needs their own address",
				u.Email, other.line, other.sourcedID)
			bu.problem = true
			continue
		}
		matched[bu], claimed[ex.ID] = ex, bu
	}

	placeholders := map[string]bool{}
	for i := range rows {
		u := &rows[i]
		bu := bp.users[u.SourcedID]
		if bu.kind == "" || bu.problem {
			continue
		}
		ex := matched[bu]
		if !bu.active {
			bp.deactivateListed(bu, ex)
			continue
		}
		status := statusActive
		if !u.Enabled {
			status = statusDeactivated
		}
		grade := ""
		if len(u.Grades) > 0 {
			grade = normalizeGrade(u.Grades[0])
		}
		want := userRow{ID: newID(), Email: u.Email, GivenName: u.GivenName, FamilyName: u.FamilyName, Grade: optional(grade),
			Status: status, SourcedID: &u.SourcedID, Username: optional(u.Username), Ext: vendorJSON(u.Ext)}
		switch {
		case u.Email == "" && ex != nil:
			want.Email = ex.Email // an address set in Bellwork stays
		case u.Email == "":
			want.Email = placeholderEmail(u.SourcedID)
			for n := 2; byEmail[want.Email] != nil || emailRow[want.Email] != nil || placeholders[want.Email]; n++ {
				want.Email = placeholderEmail(fmt.Sprintf("%s#%d", u.SourcedID, n))
			}
			placeholders[want.Email] = true
		case ex != nil && u.Email != ex.Email:
			if other := byEmail[u.Email]; other != nil && other.ID != ex.ID {
				bp.p.problem("users.csv", u.Line, "email", "email %s is already the address of %s, another user; every user needs their own address",
					u.Email, person(other.DisplayName, other.Email))
				bu.problem = true
				continue
			}
		}
		if isPlaceholderEmail(want.Email) {
			bp.skipped.noEmail++
		}
		want.DisplayName = bp.displayName(want.GivenName, want.FamilyName, want.Email)
		bu.email, bu.display = want.Email, want.DisplayName
		detail := describeMemberships(bu.memberships)
		if status == statusDeactivated {
			detail += " (enabledUser is false: deactivated)"
		}
		if ex == nil {
			bu.id = want.ID
			bp.c.createUser(want, rowRef{"users.csv", u.Line, ""})
			bp.p.change(EntityUser, ActionCreate, person(want.DisplayName, want.Email), detail)
			continue
		}
		bu.id, want.ID = ex.ID, ex.ID
		bp.planUserUpdate(ex, &want, detail)
	}
	bp.deactivateAbsent(existing, claimed)
	return nil
}

// deactivateListed deactivates a user whose row is marked tobedeleted.
func (bp *bundlePlanner) deactivateListed(bu *bundleUser, ex *userRow) {
	if ex == nil {
		bp.skipped.deletedUsersMissing++
		bp.p.skip("users.csv", bu.line, "marked tobedeleted, and not in Bellwork: nothing to deactivate")
		return
	}
	bu.id, bu.email, bu.display = ex.ID, ex.Email, ex.DisplayName
	if ex.Status == statusDeactivated {
		bp.p.unchanged(EntityUser)
		return
	}
	if bp.shared[ex.ID] {
		bp.sharedLeft[ex.ID] = true
		return
	}
	want := *ex
	want.Status = statusDeactivated
	bp.c.userUpdates = append(bp.c.userUpdates, want)
	bp.p.change(EntityUser, ActionDeactivate, person(ex.DisplayName, ex.Email), "marked tobedeleted")
}

// deactivateAbsent deactivates the active users an earlier import created
// (they have a sourcedId) that users.csv no longer lists, at the schools
// this bundle covers. The admin running the import is never deactivated.
func (bp *bundlePlanner) deactivateAbsent(existing []userRow, claimed map[string]*bundleUser) {
	if bp.b.Delta {
		return // a delta lists changes, not everyone
	}
	var absent []*userRow
	for i := range existing {
		ex := &existing[i]
		if ex.SourcedID == nil || ex.Status != statusActive || claimed[ex.ID] != nil || bp.users[*ex.SourcedID] != nil {
			continue
		}
		if !bp.covers(bp.held[ex.ID]) {
			continue
		}
		if ex.ID == bp.s.Actor.UserID {
			bp.skipped.selfAbsent = true
			continue
		}
		if bp.shared[ex.ID] {
			bp.sharedLeft[ex.ID] = true
			continue
		}
		absent = append(absent, ex)
	}
	slices.SortFunc(absent, func(a, b *userRow) int {
		return cmp.Or(strings.Compare(a.FamilyName, b.FamilyName), strings.Compare(a.GivenName, b.GivenName), strings.Compare(a.Email, b.Email))
	})
	for _, ex := range absent {
		want := *ex
		want.Status = statusDeactivated
		bp.c.userUpdates = append(bp.c.userUpdates, want)
		bp.p.change(EntityUser, ActionDeactivate, person(ex.DisplayName, ex.Email), "not in users.csv")
	}
}

// covers reports whether a user with these memberships is within the
// bundle's reach: every school they belong to is one of the bundle's (or
// they belong to none). A bundle exported for one school thus leaves other
// schools' users alone, and someone who also works at another school keeps
// their account there.
func (bp *bundlePlanner) covers(held map[membershipKey]bool) bool {
	for k := range held {
		if k.schoolID != "" && !bp.orgs.covered[k.schoolID] {
			return false
		}
	}
	return true
}

// planMemberships adds the roles active users lack (see planUserMemberships).
func (bp *bundlePlanner) planMemberships() error {
	for i := range bp.b.Users {
		bu := bp.users[bp.b.Users[i].SourcedID]
		if bu.id != "" && !bu.problem && bu.active {
			bp.planUserMemberships(bu.id, bu.email, bu.display, bu.memberships)
		}
	}
	return nil
}

// planGuardianLinks links the guardian pairs in which both people are
// planned, active and without a problem.
func (bp *bundlePlanner) planGuardianLinks() error {
	var wants []wantLink
	for _, pair := range bp.pairs {
		g, s := pair.guardian, pair.student
		if g.id == "" || s.id == "" || g.problem || s.problem || !g.active || !s.active {
			continue
		}
		wants = append(wants, wantLink{linkRow{GuardianID: g.id, StudentID: s.id}, person(g.display, g.email), s.display})
	}
	return bp.planLinks(bp.ctx, bp.s, wants)
}
