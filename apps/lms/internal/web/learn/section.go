package learn

import (
	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/coursework"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/grading"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

type sectionPage struct {
	Section       *classes.Section
	Announcements []coursework.Announcement
	Items         []workItem
	Student       bool
	// Mastery is the student's standing on each outcome the class
	// measures, from posted grades only (students only).
	Mastery []grading.OutcomeMastery
}

// workItem is a published assignment with where the student stands on it
// (for guardians, only the assignment: their portal shows each child's).
type workItem struct {
	Assignment coursework.Assignment
	Work       coursework.StudentWork
}

// Section is a class's home for a student or a guardian: announcements and
// published work, for a student with their state and posted grade.
func (s *Handlers) Section(c *kit.Call) {
	d := sectionPage{Student: c.Role() == db.Student}
	err := c.InTx(func(sc *db.Scope) (err error) {
		ctx := c.R.Context()
		if d.Section, err = classes.GetSection(ctx, sc, c.R.PathValue("id")); err != nil {
			return err
		}
		if d.Announcements, err = coursework.Announcements(ctx, sc, d.Section.ID, 10); err != nil {
			return err
		}
		list, err := coursework.SectionAssignments(ctx, sc, d.Section.ID)
		if err != nil {
			return err
		}
		for _, a := range list {
			it := workItem{Assignment: a}
			if d.Student {
				if it.Work, err = coursework.MyWork(ctx, sc, &a, c.User.ID, s.Now()); err != nil {
					return err
				}
			}
			d.Items = append(d.Items, it)
		}
		if d.Student {
			// The gradebook's own read, as the JSON API's mastery: the
			// database shows a student results of posted grades only.
			book, st, err := grading.ForStudent(ctx, sc, d.Section.ID, c.User.ID, s.Now())
			if err != nil {
				return err
			}
			d.Mastery = book.MasteryOf(st)
		}
		return nil
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "learn_section", d.Section.Title, d)
}
