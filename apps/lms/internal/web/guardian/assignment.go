package guardian

import (
	"strconv"

	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/coursework"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/domain"
	"bellwork.dev/bellwork/apps/lms/internal/people"
	"bellwork.dev/bellwork/apps/lms/internal/rubrics"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

type assignmentPage struct {
	Child        people.Child
	Assignment   *coursework.Assignment
	Rubric       *rubrics.Rubric
	Attachments  []coursework.File
	Work         coursework.StudentWork
	Attempts     []coursework.Submission
	SectionTitle string
}

// Chosen reports whether the posted grade chose level l of criterion i.
func (d assignmentPage) Chosen(i, l int) bool {
	if d.Work.Grade == nil {
		return false
	}
	v, ok := d.Work.Grade.RubricLevels[strconv.Itoa(i)]
	return ok && v == l
}

// Assignment shows a guardian one assignment of one linked child, read-only:
// instructions, the child's attempts and state, and the grade once posted.
// A child who is not linked to the guardian is "not found", as is work
// that row-level security hides (drafts, other students).
func (s *Handlers) Assignment(c *kit.Call) {
	d := &assignmentPage{}
	err := c.InTx(func(sc *db.Scope) (err error) {
		ctx := c.R.Context()
		kids, err := people.MyChildren(ctx, sc)
		if err != nil {
			return err
		}
		found := false
		for _, k := range kids {
			if k.UserID == c.R.PathValue("child") {
				d.Child, found = k, true
			}
		}
		if !found {
			return domain.ErrNotFound
		}
		if d.Assignment, err = coursework.GetAssignment(ctx, sc, c.R.PathValue("id")); err != nil {
			return err
		}
		if d.Work, err = coursework.MyWork(ctx, sc, d.Assignment, d.Child.UserID, s.Now()); err != nil {
			return err
		}
		if d.Work.SectionID == "" { // published, but not to this child's sections
			return domain.ErrNotFound
		}
		if d.Work.Grade != nil && !d.Work.Grade.Posted {
			d.Work.Grade = nil
		}
		if d.Assignment.RubricID != nil {
			if d.Rubric, err = rubrics.Get(ctx, sc, *d.Assignment.RubricID); err != nil {
				return err
			}
		}
		if d.Attachments, err = coursework.Attachments(ctx, sc, d.Assignment.ID); err != nil {
			return err
		}
		if d.Attempts, err = coursework.Attempts(ctx, sc, d.Assignment.ID, d.Child.UserID); err != nil {
			return err
		}
		sec, err := classes.GetSection(ctx, sc, d.Work.SectionID)
		if err != nil {
			return err
		}
		d.SectionTitle = sec.Title
		return nil
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "assignment_guardian", d.Assignment.Title, d)
}
