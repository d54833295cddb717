package guardian

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/coursework"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/grading"
	"bellwork.dev/bellwork/apps/lms/internal/people"
)

// Week is how far ahead "due this week" looks, and RecentGrades how far
// back "recent grades" look.
const (
	Week         = 7 * 24 * time.Hour
	RecentGrades = 14 * 24 * time.Hour
)

// Item is one assignment of one child, as the guardian may see it.
type Item struct {
	Assignment   *coursework.Assignment
	SectionID    string
	SectionTitle string
	Work         coursework.StudentWork
}

// Score shows the posted score against what is possible ("6 / 9").
func (it Item) Score() string {
	g := it.Work.Grade
	if g == nil || !g.Posted {
		return ""
	}
	if g.Score == nil {
		return g.Entered
	}
	s := strconv.FormatFloat(*g.Score, 'f', -1, 64)
	if p := it.Assignment.PointsPossible; p != nil {
		s += " / " + strconv.FormatFloat(*p, 'f', -1, 64)
	}
	return s
}

// Course is one child's course grade in one section, as the gradebook
// computes it for a guardian: posted grades only, with the section's
// group weights, drops, late and missing policies and any posted
// final-grade override.
type Course struct {
	SectionID, Title string
	// Percent is the grade shown ("87.50"); empty when nothing posted counts.
	Percent string
	// Letter is the section's letter for it ("" without a grading scheme).
	Letter string
	// Mastery is the child's standing on each outcome the section
	// measures, from posted grades only (the same read as the API's).
	Mastery []grading.OutcomeMastery
}

// Child is everything the guardian home shows about one child.
type Child struct {
	Child    people.Child
	Sections []classes.Section
	// DueThisWeek: not yet handed in, due within Week from now.
	DueThisWeek []Item
	// Missing: past due and not handed in (or marked missing by the teacher).
	Missing []Item
	// Recent: grades posted within RecentGrades, newest first.
	Recent []Item
	// Comments: posted grades that carry a teacher's comment, newest first.
	Comments []Item
	Courses  []Course
}

// Overview reads every linked child of the acting guardian. The number
// of queries does not grow with the number of assignments: five for the
// children, their sections, assignments and work, then the gradebook's
// per-section read (grading.ForSection, a fixed handful of queries) once
// per distinct section, which computes every linked child in it at once.
func Overview(ctx context.Context, s *db.Scope, now time.Time) ([]Child, error) {
	kids, err := people.MyChildren(ctx, s)
	if err != nil || len(kids) == 0 {
		return nil, err
	}
	ids := make([]string, len(kids))
	for i, k := range kids {
		ids[i] = k.UserID
	}
	secsOf, err := classes.SectionsOfStudents(ctx, s, ids)
	if err != nil {
		return nil, err
	}
	enrolled := make(map[string][]string, len(kids))
	var sectionIDs []string
	for _, k := range kids {
		enrolled[k.UserID] = []string{}
		for _, sec := range secsOf[k.UserID] {
			enrolled[k.UserID] = append(enrolled[k.UserID], sec.ID)
			if !slices.Contains(sectionIDs, sec.ID) {
				sectionIDs = append(sectionIDs, sec.ID)
			}
		}
	}
	var asgs []coursework.Assignment
	work := map[coursework.WorkKey]coursework.StudentWork{}
	books := make(map[string]*grading.Section, len(sectionIDs))
	if len(sectionIDs) > 0 {
		if asgs, err = coursework.PublishedInSections(ctx, s, sectionIDs); err != nil {
			return nil, err
		}
		if work, err = coursework.WorkOfStudents(ctx, s, asgs, enrolled, now); err != nil {
			return nil, err
		}
		for _, id := range sectionIDs {
			if books[id], err = grading.ForSection(ctx, s, id, now); err != nil {
				return nil, err
			}
		}
	}
	out := make([]Child, 0, len(kids))
	for _, k := range kids {
		out = append(out, childOverview(k, secsOf[k.UserID], asgs, work, books, now))
	}
	return out, nil
}

func childOverview(k people.Child, secs []classes.Section, asgs []coursework.Assignment, work map[coursework.WorkKey]coursework.StudentWork,
	books map[string]*grading.Section, now time.Time) Child {
	c := Child{Child: k, Sections: secs}
	seen := map[string]bool{}
	for _, sec := range secs {
		for i := range asgs {
			a := &asgs[i]
			if !slices.Contains(a.SectionIDs, sec.ID) {
				continue
			}
			w, ok := work[coursework.WorkKey{AssignmentID: a.ID, StudentID: k.UserID}]
			if !ok || seen[a.ID] { // an assignment shared by two of the child's sections counts once
				continue
			}
			seen[a.ID] = true
			c.classify(Item{Assignment: a, SectionID: sec.ID, SectionTitle: sec.Title, Work: w}, now)
		}
		c.Courses = append(c.Courses, courseOf(sec, books[sec.ID], k.UserID))
	}
	byDue := func(xs []Item) {
		sort.SliceStable(xs, func(i, j int) bool { return xs[i].Work.Due.Before(*xs[j].Work.Due) })
	}
	byPosted := func(xs []Item) {
		sort.SliceStable(xs, func(i, j int) bool { return xs[i].Work.Grade.PostedAt.After(*xs[j].Work.Grade.PostedAt) })
	}
	byDue(c.DueThisWeek)
	byDue(c.Missing)
	byPosted(c.Recent)
	byPosted(c.Comments)
	return c
}

// courseOf is the child's grade in a section from the gradebook's result.
func courseOf(sec classes.Section, book *grading.Section, studentID string) Course {
	c := Course{SectionID: sec.ID, Title: sec.Title}
	if book == nil {
		return c
	}
	st := book.Student(studentID)
	if st == nil || st.Result == nil {
		return c
	}
	c.Mastery = book.MasteryOf(st)
	g := st.Result.Shown()
	if g.Percent != nil {
		c.Percent = g.Percent.String()
	}
	c.Letter = g.Letter
	return c
}

// classify files one item under the lists it belongs to. A grade counts
// only when posted: the scope already hides unposted grades from a
// guardian, and this check keeps that true if a caller ever passes a
// wider scope.
func (c *Child) classify(it Item, now time.Time) {
	w := it.Work
	switch {
	case w.State == coursework.StateMissing && w.Due != nil:
		c.Missing = append(c.Missing, it)
	case w.State == coursework.StateNone && w.Due != nil && !w.Due.Before(now) && w.Due.Before(now.Add(Week)):
		c.DueThisWeek = append(c.DueThisWeek, it)
	}
	g := w.Grade
	if g == nil || !g.Posted || g.PostedAt == nil {
		return
	}
	if g.PostedAt.After(now.Add(-RecentGrades)) {
		c.Recent = append(c.Recent, it)
	}
	if g.Comment != "" {
		c.Comments = append(c.Comments, it)
	}
}

// MeasuresOutcomes reports whether any of the child's classes measures
// outcomes, so the portal shows mastery or one line saying there is none.
func (c Child) MeasuresOutcomes() bool {
	for _, co := range c.Courses {
		if len(co.Mastery) > 0 {
			return true
		}
	}
	return false
}
