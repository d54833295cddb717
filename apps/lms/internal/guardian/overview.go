package guardian

import (
	"context"
	"math/big"
	"sort"
	"strconv"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/coursework"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/grading/calc"
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

// Course is one child's course grade in one section, from posted grades.
type Course struct {
	SectionID, Title string
	// Percent is the current grade ("87.50"); empty when nothing posted counts.
	Percent string
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

// Overview reads every linked child of the acting guardian.
func Overview(ctx context.Context, s *db.Scope, now time.Time) ([]Child, error) {
	kids, err := people.MyChildren(ctx, s)
	if err != nil {
		return nil, err
	}
	out := make([]Child, 0, len(kids))
	for _, k := range kids {
		c, err := childOverview(ctx, s, k, now)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func childOverview(ctx context.Context, s *db.Scope, k people.Child, now time.Time) (Child, error) {
	c := Child{Child: k}
	secs, err := classes.StudentSections(ctx, s, k.UserID)
	if err != nil {
		return c, err
	}
	c.Sections = secs
	seen := map[string]bool{}
	for _, sec := range secs {
		asgs, err := coursework.SectionAssignments(ctx, s, sec.ID)
		if err != nil {
			return c, err
		}
		var items []Item
		for i := range asgs {
			a := &asgs[i]
			if !a.Published {
				continue
			}
			w, err := coursework.MyWork(ctx, s, a, k.UserID, now)
			if err != nil {
				return c, err
			}
			it := Item{Assignment: a, SectionID: sec.ID, SectionTitle: sec.Title, Work: w}
			items = append(items, it)
			if seen[a.ID] { // an assignment shared by two of the child's sections
				continue
			}
			seen[a.ID] = true
			c.classify(it, now)
		}
		pct, err := coursePercent(items, now)
		if err != nil {
			return c, err
		}
		c.Courses = append(c.Courses, Course{SectionID: sec.ID, Title: sec.Title, Percent: pct})
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
	return c, nil
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

// coursePercent computes a section's current grade from posted grades with
// the pure calculator, all assignments in one group by points. The
// gradebook's grading package (groups, weights, periods and policies per
// section) replaces this once it lands.
func coursePercent(items []Item, now time.Time) (string, error) {
	course := &calc.Course{Weighting: calc.ByPoints, Groups: []calc.Group{{ID: "all"}}, Now: now}
	student := &calc.Student{}
	for _, it := range items {
		a := it.Assignment
		ca := calc.Assignment{ID: a.ID, GroupID: "all", GradingType: calc.Points, OmitFromFinalGrade: a.OmitFromFinal,
			ExpectsSubmission: a.ExpectsSubmission(), PostPolicy: calc.PostManually}
		if a.GradingType == coursework.NotGraded {
			ca.GradingType = calc.NotGraded
		}
		if a.PointsPossible != nil {
			ca.PointsPossible = new(big.Rat).SetFloat64(*a.PointsPossible)
		}
		course.Assignments = append(course.Assignments, ca)
		w := calc.Work{AssignmentID: a.ID, DueAt: it.Work.Due, Submitted: it.Work.SubmittedAt != nil}
		if it.Work.SubmittedAt != nil {
			w.SubmittedAt = *it.Work.SubmittedAt
		}
		if g := it.Work.Grade; g != nil && g.Posted {
			w.Posted = true
			if g.Score != nil {
				w.Score = new(big.Rat).SetFloat64(*g.Score)
			}
			if g.Status != nil {
				w.Status = calc.Status(*g.Status)
			}
		}
		student.Work = append(student.Work, w)
	}
	res, err := calc.Compute(course, student, calc.Guardian)
	if err != nil {
		return "", err
	}
	if res.Current.Percent == nil {
		return "", nil
	}
	return res.Current.Percent.String(), nil
}
