package importer

import (
	"fmt"
	"slices"
	"strings"

	"bellwork.dev/bellwork/apps/lms/internal/roster"
)

// This file plans what describes teaching: terms (from academic sessions),
// courses and sections (from classes). Rows absent from the bundle are left
// alone; rows marked tobedeleted are neither created nor changed.

// resolveClasses finds each class's school; a class of the district itself,
// of an unknown school or (for a school admin) of another school is not
// imported.
func (bp *bundlePlanner) resolveClasses() error {
	bp.classSchools = make([]*school, len(bp.b.Classes))
	for i := range bp.b.Classes {
		cl := &bp.b.Classes[i]
		ref := rowRef{"classes.csv", cl.Line, "schoolSourcedId"}
		sc, ok := bp.orgs.resolve(cl.SchoolSourcedID, ref)
		switch {
		case !ok:
		case sc == nil:
			bp.p.problem(ref.file, ref.line, ref.field, "schoolSourcedId %q is not a school; a class must belong to one of the district's schools",
				cl.SchoolSourcedID)
		case bp.outsideScope(sc, ref):
			bp.outside[cl.SourcedID] = sc
		default:
			bp.classSchools[i] = sc
		}
	}
	for i := range bp.b.Courses {
		bp.courseRows[bp.b.Courses[i].SourcedID] = &bp.b.Courses[i]
	}
	return nil
}

// planTerms makes one term per session and school whose classes name it.
func (bp *bundlePlanner) planTerms() error {
	sessions := map[string]*roster.AcademicSession{}
	for i := range bp.b.Sessions {
		sessions[bp.b.Sessions[i].SourcedID] = &bp.b.Sessions[i]
	}
	type wanted struct {
		key     termKey
		session *roster.AcademicSession
		school  *school
	}
	var wants []wanted
	seen := map[termKey]bool{}
	var sessionIDs orderedSet
	for i := range bp.b.Classes {
		cl, sc := &bp.b.Classes[i], bp.classSchools[i]
		if sc == nil || cl.Status == tobedeleted {
			continue
		}
		for _, id := range cl.TermSourcedIDs {
			key := termKey{sc.ID, id}
			if session := sessions[id]; session != nil && !seen[key] {
				seen[key] = true
				wants = append(wants, wanted{key, session, sc})
				sessionIDs.add(id)
			}
		}
	}
	existing, err := loadTerms(bp.ctx, bp.s, sessionIDs.items)
	if err != nil {
		return err
	}
	byKey := make(map[termKey]*termRow, len(existing))
	for i := range existing {
		t := &existing[i]
		byKey[termKey{t.SchoolID, deref(t.SourcedID)}] = t
	}
	deletedCounted := map[string]bool{}
	for _, w := range wants {
		s := w.session
		ex := byKey[w.key]
		if ex != nil {
			bp.terms[w.key] = ex.ID
		}
		if s.Status == tobedeleted {
			if !deletedCounted[s.SourcedID] {
				deletedCounted[s.SourcedID] = true
				bp.skipped.deletedStructure++
			}
			bp.p.skip("academicSessions.csv", s.Line, "marked tobedeleted: Bellwork keeps terms, so it was left as it is")
			continue
		}
		want := termRow{ID: newID(), SchoolID: w.school.ID, SourcedID: &s.SourcedID, Name: s.Title, Kind: s.Type,
			StartsOn: dayOf(s.StartDate), EndsOn: dayOf(s.EndDate)}
		detail := fmt.Sprintf("%s, %s to %s, at %s", s.Type, s.StartDate, s.EndDate, w.school.Name)
		if ex == nil {
			bp.terms[w.key] = want.ID
			bp.c.termCreates = append(bp.c.termCreates, want)
			bp.p.change(EntityTerm, ActionCreate, s.Title, detail)
			continue
		}
		want.ID = ex.ID
		var diff []string
		if ex.Name != want.Name {
			diff = append(diff, "name")
		}
		if ex.Kind != want.Kind {
			diff = append(diff, "type")
		}
		if !sameDay(ex.StartsOn, want.StartsOn) || !sameDay(ex.EndsOn, want.EndsOn) {
			diff = append(diff, "dates")
		}
		if len(diff) == 0 {
			bp.p.unchanged(EntityTerm)
			continue
		}
		bp.c.termUpdates = append(bp.c.termUpdates, want)
		bp.p.change(EntityTerm, ActionUpdate, s.Title, changed(diff)+"; "+detail)
	}
	return nil
}

// planCourses imports courses: a course of a school org belongs to that
// school, one of the district is district-wide (no school).
func (bp *bundlePlanner) planCourses() error {
	ids := make([]string, len(bp.b.Courses))
	for i, c := range bp.b.Courses {
		ids[i] = c.SourcedID
	}
	existing, err := loadCourses(bp.ctx, bp.s, ids)
	if err != nil {
		return err
	}
	bySourced := make(map[string]*courseRow, len(existing))
	for i := range existing {
		bySourced[deref(existing[i].SourcedID)] = &existing[i]
	}
	for i := range bp.b.Courses {
		c := &bp.b.Courses[i]
		ref := rowRef{"courses.csv", c.Line, "orgSourcedId"}
		sc, ok := bp.orgs.resolve(c.OrgSourcedID, ref)
		if !ok || (sc != nil && bp.outsideScope(sc, ref)) {
			continue
		}
		ex := bySourced[c.SourcedID]
		if ex != nil {
			bp.courses[c.SourcedID] = ex.ID
		}
		if c.Status == tobedeleted {
			bp.skipped.deletedStructure++
			bp.p.skip("courses.csv", c.Line, "marked tobedeleted: Bellwork keeps courses, so it was left as it is")
			continue
		}
		want := courseRow{ID: newID(), SchoolID: schoolID(sc), SourcedID: &c.SourcedID, Title: c.Title, Code: c.CourseCode,
			Grades: normalizeGrades(c.Grades)}
		detail := "district-wide"
		if sc != nil {
			detail = "at " + sc.Name
		}
		name := c.Title
		if c.CourseCode != "" {
			name += " (" + c.CourseCode + ")"
		}
		var diff []string
		if ex != nil {
			want.ID = ex.ID
			if deref(ex.SchoolID) != deref(want.SchoolID) {
				diff = append(diff, "school")
			}
			if ex.Title != want.Title {
				diff = append(diff, "title")
			}
			if ex.Code != want.Code {
				diff = append(diff, "code")
			}
			if !slices.Equal(ex.Grades, want.Grades) {
				diff = append(diff, "grades")
			}
			if len(diff) == 0 {
				bp.p.unchanged(EntityCourse)
				continue
			}
		}
		// Row-level security lets a school admin read district-wide courses, not write them.
		if bp.scope != nil && (want.SchoolID == nil || (ex != nil && ex.SchoolID == nil)) {
			bp.p.problem(ref.file, ref.line, ref.field,
				"course %q is district-wide (orgSourcedId %s is not a school); only a district admin can create or change district-wide courses",
				c.Title, c.OrgSourcedID)
			continue
		}
		if ex == nil {
			bp.courses[c.SourcedID] = want.ID
			bp.c.courseCreates = append(bp.c.courseCreates, want)
			bp.p.change(EntityCourse, ActionCreate, name, detail)
			continue
		}
		bp.c.courseUpdates = append(bp.c.courseUpdates, want)
		bp.p.change(EntityCourse, ActionUpdate, name, changed(diff)+"; "+detail)
	}
	return nil
}

// planSections imports classes as sections of their school, course and terms.
func (bp *bundlePlanner) planSections() error {
	ids := make([]string, len(bp.b.Classes))
	for i, cl := range bp.b.Classes {
		ids[i] = cl.SourcedID
	}
	existing, err := loadSections(bp.ctx, bp.s, ids)
	if err != nil {
		return err
	}
	bySourced := make(map[string]*sectionRow, len(existing))
	for i := range existing {
		bySourced[deref(existing[i].SourcedID)] = &existing[i]
	}
	for i := range bp.b.Classes {
		cl, sc := &bp.b.Classes[i], bp.classSchools[i]
		if sc == nil {
			continue
		}
		ex := bySourced[cl.SourcedID]
		if ex != nil {
			bp.sections[cl.SourcedID] = &sectionRef{id: ex.ID, schoolID: ex.SchoolID, title: ex.Title}
		}
		if cl.Status == tobedeleted {
			bp.skipped.deletedStructure++
			bp.p.skip("classes.csv", cl.Line, "marked tobedeleted: Bellwork keeps sections, so it was left as it is")
			continue
		}
		courseID := bp.courses[cl.CourseSourcedID]
		if courseID == "" {
			// The course is marked tobedeleted and absent (noted), or has a problem.
			continue
		}
		var termIDs []string
		for _, id := range cl.TermSourcedIDs {
			if t := bp.terms[termKey{sc.ID, id}]; t != "" {
				termIDs = append(termIDs, t)
			}
		}
		want := sectionRow{ID: newID(), SchoolID: sc.ID, CourseID: courseID, SourcedID: &cl.SourcedID, Title: cl.Title,
			Code: cl.ClassCode, Period: strings.Join(cl.Periods, ", "), TermIDs: termIDs}
		detail := bp.sectionDetail(cl, sc)
		if ex == nil {
			bp.sections[cl.SourcedID] = &sectionRef{id: want.ID, schoolID: sc.ID, title: want.Title}
			bp.c.sectionCreates = append(bp.c.sectionCreates, want)
			bp.p.change(EntitySection, ActionCreate, cl.Title, detail)
			continue
		}
		want.ID = ex.ID
		bp.sections[cl.SourcedID] = &sectionRef{id: ex.ID, schoolID: sc.ID, title: want.Title}
		var diff []string
		if ex.SchoolID != want.SchoolID {
			diff = append(diff, "school")
		}
		if ex.CourseID != want.CourseID {
			diff = append(diff, "course")
		}
		if ex.Title != want.Title {
			diff = append(diff, "title")
		}
		if ex.Code != want.Code {
			diff = append(diff, "code")
		}
		if ex.Period != want.Period {
			diff = append(diff, "period")
		}
		if !slices.Equal(ex.TermIDs, want.TermIDs) {
			diff = append(diff, "terms")
		}
		if len(diff) == 0 {
			bp.p.unchanged(EntitySection)
			continue
		}
		bp.c.sectionUpdates = append(bp.c.sectionUpdates, want)
		bp.p.change(EntitySection, ActionUpdate, cl.Title, changed(diff)+"; "+detail)
	}
	return nil
}

func (bp *bundlePlanner) sectionDetail(cl *roster.Class, sc *school) string {
	var parts []string
	if c := bp.courseRows[cl.CourseSourcedID]; c != nil {
		parts = append(parts, c.Title)
	}
	if len(cl.Periods) > 0 {
		parts = append(parts, "period "+strings.Join(cl.Periods, ", "))
	}
	parts = append(parts, "at "+sc.Name)
	return strings.Join(parts, ", ")
}

// changed lists what an update changes: "changes title, grades".
func changed(fields []string) string { return "changes " + strings.Join(fields, ", ") }
