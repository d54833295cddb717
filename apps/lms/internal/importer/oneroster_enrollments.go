package importer

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/roster"
)

// This file plans enrollments. Bellwork holds one enrollment per section,
// user and role, so bundle rows naming the same three (a student enrolled
// once per semester) become one, from the earliest start to the latest end.
// Imported enrollments the bundle no longer lists are deleted.

type enrollmentKey struct {
	sectionID, userID string
	role              classes.EnrollmentRole
}

func (r *enrollmentRow) key() enrollmentKey { return enrollmentKey{r.SectionID, r.UserID, r.Role} }

// wantEnrollment is one enrollment the bundle asks for, with the rows it merges.
type wantEnrollment struct {
	row        enrollmentRow
	sourcedIDs []string
	line       int
	name       string
}

func (bp *bundlePlanner) planEnrollments() error {
	wants, present := bp.wantedEnrollments()
	var sectionIDs orderedSet
	for _, w := range wants {
		sectionIDs.add(w.row.SectionID)
	}
	existing, err := loadEnrollments(bp.ctx, bp.s, sectionIDs.items)
	if err != nil {
		return err
	}
	byKey := make(map[enrollmentKey]*enrollmentRow, len(existing))
	bySourced := make(map[string]*enrollmentRow, len(existing))
	for i := range existing {
		ex := &existing[i]
		byKey[ex.key()] = ex
		if ex.SourcedID != nil {
			bySourced[*ex.SourcedID] = ex
		}
	}

	// Match by section, user and role first (the database's own key), then
	// by sourcedId (an enrollment moved to another section).
	match := make([]*enrollmentRow, len(wants))
	claimed := map[string]bool{}
	for i, w := range wants {
		if ex := byKey[w.row.key()]; ex != nil {
			match[i], claimed[ex.ID] = ex, true
		}
	}
	used := map[string]bool{}
	for i, w := range wants {
		for _, id := range w.sourcedIDs {
			used[id] = true
			if ex := bySourced[id]; match[i] == nil && ex != nil && !claimed[ex.ID] {
				match[i], claimed[ex.ID] = ex, true
			}
		}
	}

	for i, w := range wants {
		ex := match[i]
		// Keep the sourcedId the enrollment has when it is one of the merged rows'.
		id := w.sourcedIDs[0]
		if ex != nil && ex.SourcedID != nil && slices.Contains(w.sourcedIDs, *ex.SourcedID) {
			id = *ex.SourcedID
		}
		w.row.SourcedID = &id
		detail := describeEnrollment(&w.row)
		if ex == nil {
			w.row.ID = newID()
			bp.c.enrollmentCreates = append(bp.c.enrollmentCreates, w.row)
			bp.p.change(EntityEnrollment, ActionCreate, w.name, detail)
			continue
		}
		w.row.ID = ex.ID
		diff := enrollmentDiff(ex, &w.row)
		if len(diff) == 0 {
			bp.p.unchanged(EntityEnrollment)
			continue
		}
		if ex.SourcedID != nil && *ex.SourcedID != id {
			bp.c.enrollmentRekeys = append(bp.c.enrollmentRekeys, ex.ID)
		}
		bp.c.enrollmentUpdates = append(bp.c.enrollmentUpdates, w.row)
		bp.p.change(EntityEnrollment, ActionUpdate, w.name, changed(diff)+"; "+detail)
	}

	// Delete imported enrollments at the bundle's schools that it no longer
	// lists, or lists merged into another row. A listed row that was skipped
	// (its user or class has a problem) keeps its enrollment.
	var deletes []*enrollmentRow
	deltaDeletes, reason := bp.deltaDeletes(), "not in enrollments.csv"
	if bp.b.Delta {
		reason = "marked tobedeleted"
	}
	for i := range existing {
		ex := &existing[i]
		if bp.b.Delta {
			// A delta deletes only the enrollments it marks tobedeleted.
			if !claimed[ex.ID] && ex.SourcedID != nil && deltaDeletes[*ex.SourcedID] {
				deletes = append(deletes, ex)
			}
			continue
		}
		if claimed[ex.ID] || ex.SourcedID == nil || !bp.orgs.covered[ex.SchoolID] {
			continue
		}
		if present[*ex.SourcedID] && !used[*ex.SourcedID] {
			continue
		}
		deletes = append(deletes, ex)
	}
	slices.SortFunc(deletes, func(a, b *enrollmentRow) int { return strings.Compare(*a.SourcedID, *b.SourcedID) })
	sectionTitles := make(map[string]string, len(bp.sections))
	for _, sec := range bp.sections {
		sectionTitles[sec.id] = sec.title
	}
	for _, ex := range deletes {
		name := "enrollment " + *ex.SourcedID
		if user, section := bp.userNames[ex.UserID], sectionTitles[ex.SectionID]; user != "" && section != "" {
			name = user + " in " + section
		}
		bp.c.enrollmentDeletes = append(bp.c.enrollmentDeletes, ex.ID)
		bp.p.change(EntityEnrollment, ActionDelete, name, describeEnrollment(ex)+"; "+reason)
	}
	return nil
}

// wantedEnrollments merges the bundle's enrollments by section, user and
// role, in file order, and returns them with the sourcedIds of every row
// not marked tobedeleted.
func (bp *bundlePlanner) wantedEnrollments() ([]*wantEnrollment, map[string]bool) {
	present := map[string]bool{}
	var wants []*wantEnrollment
	byKey := map[enrollmentKey]*wantEnrollment{}
	for i := range bp.b.Enrollments {
		e := &bp.b.Enrollments[i]
		if e.Status == tobedeleted {
			continue
		}
		present[e.SourcedID] = true
		role, ok := enrollmentRole(e.Role)
		if !ok {
			bp.skipped.enrollmentRole++
			bp.p.skip("enrollments.csv", e.Line, "role %s: only teachers and students are enrolled in sections", e.Role)
			continue
		}
		if _, ok := bp.orgs.resolve(e.SchoolSourcedID, rowRef{"enrollments.csv", e.Line, "schoolSourcedId"}); !ok {
			continue // its school org is reported
		}
		if sc := bp.outside[e.ClassSourcedID]; sc != nil {
			bp.outsideScope(sc, rowRef{"enrollments.csv", e.Line, "classSourcedId"})
			continue
		}
		sec, u := bp.sections[e.ClassSourcedID], bp.users[e.UserSourcedID]
		if u != nil && (u.kind == "" || (!u.active && u.id == "")) {
			bp.skipped.enrollmentUsers++
			bp.p.skip("enrollments.csv", e.Line, "user %s is not imported", e.UserSourcedID)
			continue
		}
		if sec == nil || u == nil || u.id == "" || u.problem {
			continue // a problem with its class or user is reported already
		}
		if (u.kind == "student" || u.kind == "teacher") && string(role) != u.kind {
			bp.p.warn("enrollments.csv", e.Line, "role", "user %s is a %s in users.csv but enrolled as %s; the enrollment wins for this class",
				e.UserSourcedID, u.kind, role)
		}
		begins, ends := optionalDay(e.BeginDate), optionalDay(e.EndDate)
		row := enrollmentRow{SectionID: sec.id, SchoolID: sec.schoolID, UserID: u.id, Role: role, IsPrimary: e.Primary,
			BeginsOn: begins, EndsOn: ends}
		w := byKey[row.key()]
		if w == nil {
			w = &wantEnrollment{row: row, sourcedIDs: []string{e.SourcedID}, line: e.Line,
				name: fmt.Sprintf("%s in %s", u.display, sec.title)}
			byKey[row.key()] = w
			wants = append(wants, w)
			continue
		}
		if len(w.sourcedIDs) == 1 {
			bp.skipped.enrollmentsMerged++
			bp.skipped.enrollmentRows++
		}
		bp.skipped.enrollmentRows++
		w.sourcedIDs = append(w.sourcedIDs, e.SourcedID)
		w.row.IsPrimary = w.row.IsPrimary || e.Primary
		w.row.BeginsOn = earliest(w.row.BeginsOn, begins)
		w.row.EndsOn = latest(w.row.EndsOn, ends)
	}
	return wants, present
}

func enrollmentDiff(ex, want *enrollmentRow) []string {
	var diff []string
	add := func(differs bool, field string) {
		if differs {
			diff = append(diff, field)
		}
	}
	add(ex.SectionID != want.SectionID, "section")
	add(ex.SchoolID != want.SchoolID, "school")
	add(ex.UserID != want.UserID, "user")
	add(ex.Role != want.Role, "role")
	add(ex.IsPrimary != want.IsPrimary, "primary")
	add(!sameOptionalDay(ex.BeginsOn, want.BeginsOn) || !sameOptionalDay(ex.EndsOn, want.EndsOn), "dates")
	add(deref(ex.SourcedID) != deref(want.SourcedID), "sourcedId")
	return diff
}

// describeEnrollment is "student, 2020-08-17 to 2021-05-28" or "teacher (primary), from 2021-01-04".
func describeEnrollment(r *enrollmentRow) string {
	s := string(r.Role)
	if r.IsPrimary {
		s += " (primary)"
	}
	switch {
	case r.BeginsOn != nil && r.EndsOn != nil:
		s += fmt.Sprintf(", %s to %s", r.BeginsOn.Format(time.DateOnly), r.EndsOn.Format(time.DateOnly))
	case r.BeginsOn != nil:
		s += ", from " + r.BeginsOn.Format(time.DateOnly)
	case r.EndsOn != nil:
		s += ", until " + r.EndsOn.Format(time.DateOnly)
	}
	return s
}

// enrollmentRole is the Bellwork enrollment role of a OneRoster enrollment
// role; false for administrator, aide and proctor, which Bellwork does not
// enroll in sections.
func enrollmentRole(role string) (classes.EnrollmentRole, bool) {
	switch r := classes.EnrollmentRole(role); r {
	case classes.Student, classes.Teacher:
		return r, true
	}
	return "", false
}

func optionalDay(d *roster.Date) *time.Time {
	if d == nil {
		return nil
	}
	t := dayOf(*d)
	return &t
}

// earliest of two starts; no start (nil) means from the beginning.
func earliest(a, b *time.Time) *time.Time {
	if a == nil || b == nil {
		return nil
	}
	if b.Before(*a) {
		return b
	}
	return a
}

// latest of two ends; no end (nil) means open-ended.
func latest(a, b *time.Time) *time.Time {
	if a == nil || b == nil {
		return nil
	}
	if b.After(*a) {
		return b
	}
	return a
}
