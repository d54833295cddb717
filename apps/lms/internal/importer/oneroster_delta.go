package importer

import (
	"context"
	"fmt"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/roster"
)

// This file plans delta bundles (roster.Bundle.Delta): they list only what
// changed, so nothing is deactivated or deleted for being absent, rows
// marked tobedeleted deactivate their user or delete their enrollment, and
// a row may refer to what an earlier import brought in: orgs (kept in
// roster_orgs), terms, courses, sections and users, found by sourcedId.

// withStoredOrgs returns the bundle's orgs and, for a delta, the orgs of
// earlier imports that it does not list again.
func withStoredOrgs(ctx context.Context, s *db.Scope, b *roster.Bundle) ([]roster.Org, error) {
	if !b.Delta {
		return b.Orgs, nil
	}
	stored, err := loadStoredOrgs(ctx, s)
	if err != nil {
		return nil, err
	}
	listed := map[string]bool{}
	for _, o := range b.Orgs {
		listed[o.SourcedID] = true
	}
	orgs := append([]roster.Org(nil), b.Orgs...)
	for _, o := range stored {
		if !listed[o.SourcedID] {
			orgs = append(orgs, o)
		}
	}
	return orgs, nil
}

func loadStoredOrgs(ctx context.Context, s *db.Scope) ([]roster.Org, error) {
	rows, err := query[struct {
		SourcedID       string `db:"sourced_id"`
		Name            string `db:"name"`
		Type            string `db:"type"`
		Identifier      string `db:"identifier"`
		ParentSourcedID string `db:"parent_sourced_id"`
	}](ctx, s, "load stored orgs", `SELECT sourced_id, name, type, identifier, parent_sourced_id FROM roster_orgs`)
	if err != nil {
		return nil, err
	}
	out := make([]roster.Org, len(rows))
	for i, r := range rows {
		out[i] = roster.Org{SourcedID: r.SourcedID, Name: r.Name, Type: r.Type, Identifier: r.Identifier, ParentSourcedID: r.ParentSourcedID}
	}
	return out, nil
}

// recordOrgs keeps the orgs of an applied bundle for later deltas, in the
// same transaction: tobedeleted orgs are forgotten. Only district-wide
// imports record (row-level security lets no school admin write them).
func recordOrgs(ctx context.Context, s *db.Scope, b *roster.Bundle) error {
	if s.Actor.Role == db.SchoolAdmin || len(b.Orgs) == 0 {
		return nil
	}
	var keep, drop []roster.Org
	for _, o := range b.Orgs {
		if o.Status == tobedeleted {
			drop = append(drop, o)
		} else {
			keep = append(keep, o)
		}
	}
	if len(keep) > 0 {
		_, err := s.Tx.Exec(ctx, `INSERT INTO roster_orgs (sourced_id, name, type, identifier, parent_sourced_id)
			SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
			ON CONFLICT (sourced_id) DO UPDATE SET name = excluded.name, type = excluded.type, identifier = excluded.identifier,
				parent_sourced_id = excluded.parent_sourced_id, updated_at = now()`,
			col(keep, func(o roster.Org) string { return o.SourcedID }), col(keep, func(o roster.Org) string { return o.Name }),
			col(keep, func(o roster.Org) string { return o.Type }), col(keep, func(o roster.Org) string { return o.Identifier }),
			col(keep, func(o roster.Org) string { return o.ParentSourcedID }))
		if err != nil {
			return fmt.Errorf("record orgs: %w", err)
		}
	}
	if len(drop) > 0 {
		if _, err := s.Tx.Exec(ctx, `DELETE FROM roster_orgs WHERE sourced_id = ANY ($1)`,
			col(drop, func(o roster.Org) string { return o.SourcedID })); err != nil {
			return fmt.Errorf("forget orgs: %w", err)
		}
	}
	return nil
}

// deltaRoles gives the users of a 1.2 bundle without a role row (in a
// delta: their roles do not change; in either: they are tobedeleted) the
// role and schools they hold in Bellwork, so they are planned like any
// other user. An active user new to Bellwork needs a role row.
func (bp *bundlePlanner) deltaRoles() error {
	var ids []string
	for _, u := range bp.b.Users {
		if u.Role == "" {
			ids = append(ids, u.SourcedID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	held, err := query[struct {
		SourcedID string  `db:"sourced_id"`
		SchoolID  *string `db:"school_id"`
		Role      string  `db:"role"`
	}](bp.ctx, bp.s, "load roles of delta users", `SELECT u.sourced_id, m.school_id, m.role FROM users u JOIN memberships m ON m.user_id = u.id
		WHERE u.sourced_id = ANY ($1) ORDER BY m.created_at`, ids)
	if err != nil {
		return err
	}
	orgOf := map[string]string{} // school id -> an org sourcedId standing for it
	district := ""
	for orgID, sc := range bp.orgs.schoolOf {
		if prev, ok := orgOf[sc.ID]; !ok || orgID < prev {
			orgOf[sc.ID] = orgID
		}
	}
	for id, o := range bp.orgs.orgs {
		if o.Type == "district" && (district == "" || id < district) {
			district = id
		}
	}
	roles := map[string]string{}
	orgs := map[string][]string{}
	for _, h := range held {
		role := map[string]string{"student": "student", "teacher": "teacher", "school_admin": "administrator",
			"district_admin": "administrator", "guardian": "guardian"}[h.Role]
		if roles[h.SourcedID] == "" {
			roles[h.SourcedID] = role
		}
		if roles[h.SourcedID] != role {
			continue
		}
		switch {
		case h.SchoolID == nil && district != "":
			orgs[h.SourcedID] = append(orgs[h.SourcedID], district)
		case h.SchoolID != nil && orgOf[*h.SchoolID] != "":
			orgs[h.SourcedID] = append(orgs[h.SourcedID], orgOf[*h.SchoolID])
		}
	}
	for i := range bp.b.Users {
		u := &bp.b.Users[i]
		switch {
		case u.Role != "":
			continue
		case roles[u.SourcedID] == "" && u.Status == tobedeleted:
			// Not in Bellwork: there is nothing to deactivate, which the
			// plan notes for any role.
			u.Role = "student"
			continue
		case roles[u.SourcedID] == "":
			bp.p.problem("users.csv", u.Line, "sourcedId", "user %q is not in Bellwork yet and roles.csv gives them no role; add their role row to the delta", u.SourcedID)
			continue
		}
		u.Role, u.OrgSourcedIDs = roles[u.SourcedID], orgs[u.SourcedID]
	}
	return nil
}

// knownTerms finds the terms a delta's classes name but do not list.
func (bp *bundlePlanner) knownTerms() error {
	if !bp.b.Delta {
		return nil
	}
	var missing orderedSet
	for i := range bp.b.Classes {
		cl, sc := &bp.b.Classes[i], bp.classSchools[i]
		if sc == nil {
			continue
		}
		for _, id := range cl.TermSourcedIDs {
			if bp.terms[termKey{sc.ID, id}] == "" {
				missing.add(id)
			}
		}
	}
	if len(missing.items) == 0 {
		return nil
	}
	rows, err := loadTerms(bp.ctx, bp.s, missing.items)
	if err != nil {
		return err
	}
	for _, t := range rows {
		key := termKey{t.SchoolID, deref(t.SourcedID)}
		if bp.terms[key] == "" {
			bp.terms[key] = t.ID
		}
	}
	return nil
}

// knownCourses finds the courses a delta's classes name but do not list.
func (bp *bundlePlanner) knownCourses() error {
	if !bp.b.Delta {
		return nil
	}
	var missing orderedSet
	for _, cl := range bp.b.Classes {
		if bp.courses[cl.CourseSourcedID] == "" && bp.courseRows[cl.CourseSourcedID] == nil {
			missing.add(cl.CourseSourcedID)
		}
	}
	if len(missing.items) == 0 {
		return nil
	}
	rows, err := loadCourses(bp.ctx, bp.s, missing.items)
	if err != nil {
		return err
	}
	for _, c := range rows {
		bp.courses[deref(c.SourcedID)] = c.ID
	}
	for i := range bp.b.Classes {
		cl := &bp.b.Classes[i]
		if bp.classSchools[i] != nil && cl.Status != tobedeleted && bp.courses[cl.CourseSourcedID] == "" && bp.courseRows[cl.CourseSourcedID] == nil &&
			!bp.b.HeldBack("courses.csv", cl.CourseSourcedID) {
			bp.p.problem("classes.csv", cl.Line, "courseSourcedId", "course %q is neither in this delta nor in Bellwork; include it in courses.csv", cl.CourseSourcedID)
		}
	}
	return nil
}

// knownSections finds the sections a delta's enrollments name but whose
// classes it does not list.
func (bp *bundlePlanner) knownSections() error {
	if !bp.b.Delta {
		return nil
	}
	var missing orderedSet
	for _, e := range bp.b.Enrollments {
		if bp.sections[e.ClassSourcedID] == nil && bp.outside[e.ClassSourcedID] == nil {
			missing.add(e.ClassSourcedID)
		}
	}
	if len(missing.items) == 0 {
		return nil
	}
	rows, err := loadSections(bp.ctx, bp.s, missing.items)
	if err != nil {
		return err
	}
	for _, sec := range rows {
		bp.sections[deref(sec.SourcedID)] = &sectionRef{id: sec.ID, schoolID: sec.SchoolID, title: sec.Title}
	}
	for _, e := range bp.b.Enrollments {
		if e.Status != tobedeleted && bp.sections[e.ClassSourcedID] == nil && bp.outside[e.ClassSourcedID] == nil &&
			!bp.b.HeldBack("classes.csv", e.ClassSourcedID) {
			bp.p.problem("enrollments.csv", e.Line, "classSourcedId", "class %q is neither in this delta nor in Bellwork; include it in classes.csv", e.ClassSourcedID)
		}
	}
	return nil
}

// knownUsers finds the users a delta's enrollments name but whose rows it
// does not list; they are enrolled as they are in Bellwork.
func (bp *bundlePlanner) knownUsers() error {
	if !bp.b.Delta {
		return nil
	}
	var missing orderedSet
	for _, e := range bp.b.Enrollments {
		if bp.users[e.UserSourcedID] == nil {
			missing.add(e.UserSourcedID)
		}
	}
	if len(missing.items) == 0 {
		return nil
	}
	rows, err := query[userRow](bp.ctx, bp.s, "load delta users",
		`SELECT id, email, display_name, given_name, family_name, grade, status, sourced_id, username, ext::text AS ext FROM users WHERE sourced_id = ANY ($1)`, missing.items)
	if err != nil {
		return err
	}
	for _, u := range rows {
		bp.users[deref(u.SourcedID)] = &bundleUser{sourcedID: deref(u.SourcedID), kind: "known", active: u.Status == statusActive,
			id: u.ID, email: u.Email, display: u.DisplayName}
	}
	for _, e := range bp.b.Enrollments {
		if e.Status != tobedeleted && bp.users[e.UserSourcedID] == nil && !bp.b.HeldBack("users.csv", e.UserSourcedID) {
			bp.p.problem("enrollments.csv", e.Line, "userSourcedId", "user %q is neither in this delta nor in Bellwork; include them in users.csv", e.UserSourcedID)
		}
	}
	return nil
}

// deltaDeletes are the sourcedIds of the enrollments a delta marks tobedeleted.
func (bp *bundlePlanner) deltaDeletes() map[string]bool {
	out := map[string]bool{}
	for _, e := range bp.b.Enrollments {
		if e.Status == tobedeleted {
			out[e.SourcedID] = true
		}
	}
	return out
}
