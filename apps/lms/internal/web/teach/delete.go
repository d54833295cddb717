package teach

import (
	"fmt"
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/coursework"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/rubrics"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// Deleting assignments, assignment groups, announcements and rubrics: a
// GET confirm page saying what deleting keeps, then a POST (CSRF-checked)
// that deletes and comes back with a flash.

// confirmPage is the confirm_delete template's data.
type confirmPage struct {
	Heading, Back, Cancel, Action, Button string
	Notes                                 []string
	// Refusal replaces the form when deleting is not possible now.
	Refusal string
	// MoveTo lists the groups a group's assignments may move to; when set,
	// the form asks for one.
	MoveTo []coursework.Group
	Error  string
}

// ConfirmDeleteAssignment says what deleting the assignment does: with
// submissions or grades, it is hidden everywhere but kept with them.
func (s *Handlers) ConfirmDeleteAssignment(c *kit.Call) {
	d, err := s.assignmentConfirm(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "confirm_delete", "Delete assignment", d)
}

func (s *Handlers) assignmentConfirm(c *kit.Call) (*confirmPage, error) {
	id := c.R.PathValue("id")
	d := &confirmPage{Cancel: "/teach/assignments/" + id, Action: "/teach/assignments/" + id + "/delete", Button: "Delete assignment"}
	err := c.InTx(func(sc *db.Scope) error {
		a, err := coursework.GetAssignment(c.R.Context(), sc, id)
		if err != nil {
			return err
		}
		use, err := coursework.AssignmentUse(c.R.Context(), sc, id)
		if err != nil {
			return err
		}
		d.Heading, d.Back = fmt.Sprintf("Delete “%s”?", a.Title), a.Title
		if use.Kept() {
			d.Notes = []string{
				fmt.Sprintf("This assignment has %s and %s.", count(use.Submissions, "submission"), count(use.Grades, "grade")),
				"Deleting removes it from your sections, the gradebook, course grades and students' and guardians' pages. Its submissions, grades and grade history are kept in the district's records (not shown anywhere), so nothing handed in or graded is lost.",
				"Course grades are recalculated without it.",
			}
		} else {
			d.Notes = []string{"No one has handed anything in or been graded yet, so the assignment, its due dates and attached files are removed for good."}
		}
		if len(a.SectionIDs) > 1 {
			d.Notes = append(d.Notes, fmt.Sprintf("It is posted to %d sections: it goes from all of them.", len(a.SectionIDs)))
		}
		return nil
	})
	return d, err
}

// DeleteAssignment deletes (or, with submissions or grades, archives) the
// assignment and returns to its first section.
func (s *Handlers) DeleteAssignment(c *kit.Call) {
	id := c.R.PathValue("id")
	var section string
	var r coursework.Removal
	err := c.InTx(func(sc *db.Scope) error {
		a, err := coursework.GetAssignment(c.R.Context(), sc, id)
		if err != nil {
			return err
		}
		section = a.SectionIDs[0]
		r, err = coursework.DeleteAssignment(c.R.Context(), sc, id, c.ID)
		return err
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	done := "assignment-deleted"
	if r == coursework.Archived {
		done = "assignment-archived"
	}
	kit.Redirect(c, "/teach/sections/"+section, done)
}

// ConfirmDeleteGroup asks where a group's assignments go before deleting it.
func (s *Handlers) ConfirmDeleteGroup(c *kit.Call) {
	d, err := s.groupConfirm(c, "")
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "confirm_delete", "Delete group", d)
}

func (s *Handlers) groupConfirm(c *kit.Call, problem string) (*confirmPage, error) {
	id := c.R.PathValue("id")
	d := &confirmPage{Action: "/teach/groups/" + id + "/delete", Button: "Delete group", Error: problem}
	err := c.InTx(func(sc *db.Scope) error {
		g, err := coursework.GetGroup(c.R.Context(), sc, id)
		if err != nil {
			return err
		}
		n, err := coursework.GroupAssignments(c.R.Context(), sc, id)
		if err != nil {
			return err
		}
		d.Heading, d.Cancel = fmt.Sprintf("Delete the group “%s”?", g.Name), "/teach/sections/"+g.SectionID
		if err := sectionTitle(c, sc, g.SectionID, &d.Back); err != nil {
			return err
		}
		if n == 0 {
			d.Notes = []string{"The group has no assignments. Its weight and drop rules go with it."}
			return nil
		}
		groups, err := coursework.SectionGroups(c.R.Context(), sc, g.SectionID)
		if err != nil {
			return err
		}
		for _, o := range groups {
			if o.ID != g.ID {
				d.MoveTo = append(d.MoveTo, o)
			}
		}
		if len(d.MoveTo) == 0 {
			d.Refusal = fmt.Sprintf("The group has %s and the section has no other group to move them to. Add another group on the section page first.", count(n, "assignment"))
			return nil
		}
		d.Notes = []string{
			fmt.Sprintf("The group has %s. They move to the group you choose, with their scores and never-drop marks; nothing is deleted but the group, its weight and its drop rules.", count(n, "assignment")),
			"Course grades are recalculated with the assignments in their new group.",
		}
		return nil
	})
	return d, err
}

// DeleteGroup moves the group's assignments to moveTo, then deletes it.
func (s *Handlers) DeleteGroup(c *kit.Call) {
	id := c.R.PathValue("id")
	var section string
	err := c.InTx(func(sc *db.Scope) error {
		g, err := coursework.GetGroup(c.R.Context(), sc, id)
		if err != nil {
			return err
		}
		section = g.SectionID
		return coursework.DeleteGroup(c.R.Context(), sc, id, c.R.PostFormValue("moveTo"))
	})
	if ve, ok := validate.As(err); ok {
		d, lerr := s.groupConfirm(c, ve.Error())
		if lerr != nil {
			s.Fail(c, lerr)
			return
		}
		s.RenderStatus(c, http.StatusUnprocessableEntity, "confirm_delete", "Delete group", d)
		return
	}
	if err != nil {
		s.Fail(c, err)
		return
	}
	kit.Redirect(c, "/teach/sections/"+section, "group-deleted")
}

// ConfirmDeleteAnnouncement asks before deleting an announcement.
func (s *Handlers) ConfirmDeleteAnnouncement(c *kit.Call) {
	id := c.R.PathValue("id")
	d := &confirmPage{Action: "/teach/announcements/" + id + "/delete", Button: "Delete announcement"}
	err := c.InTx(func(sc *db.Scope) error {
		a, err := coursework.GetAnnouncement(c.R.Context(), sc, id)
		if err != nil {
			return err
		}
		d.Heading, d.Cancel = fmt.Sprintf("Delete the announcement “%s”?", a.Title), "/teach/sections/"+a.SectionID
		if err := sectionTitle(c, sc, a.SectionID, &d.Back); err != nil {
			return err
		}
		d.Notes = []string{"Students and guardians no longer see it on the section's page. This cannot be undone."}
		return nil
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "confirm_delete", "Delete announcement", d)
}

// DeleteAnnouncement deletes an announcement and returns to its section.
func (s *Handlers) DeleteAnnouncement(c *kit.Call) {
	id := c.R.PathValue("id")
	var section string
	err := c.InTx(func(sc *db.Scope) error {
		a, err := coursework.GetAnnouncement(c.R.Context(), sc, id)
		if err != nil {
			return err
		}
		section = a.SectionID
		return coursework.DeleteAnnouncement(c.R.Context(), sc, id)
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	kit.Redirect(c, "/teach/sections/"+section, "announcement-deleted")
}

// ConfirmDeleteRubric asks before deleting a rubric, or says why it cannot be.
func (s *Handlers) ConfirmDeleteRubric(c *kit.Call) {
	d, err := s.rubricConfirm(c, "")
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "confirm_delete", "Delete rubric", d)
}

func (s *Handlers) rubricConfirm(c *kit.Call, problem string) (*confirmPage, error) {
	id := c.R.PathValue("id")
	d := &confirmPage{Action: "/teach/rubrics/" + id + "/delete", Button: "Delete rubric", Back: "Rubrics", Cancel: "/teach/rubrics/" + id, Error: problem}
	err := c.InTx(func(sc *db.Scope) error {
		r, err := rubrics.Get(c.R.Context(), sc, id)
		if err != nil {
			return err
		}
		if r.OwnerID != c.User.ID {
			return fmt.Errorf("delete rubric: %w", db.ErrForbidden)
		}
		use, err := rubrics.GetUse(c.R.Context(), sc, id)
		if err != nil {
			return err
		}
		d.Heading = fmt.Sprintf("Delete the rubric “%s”?", r.Title)
		if use.Assignments > 0 {
			d.Refusal = fmt.Sprintf("This rubric is used by %s (in any section, deleted ones included), so it cannot be deleted. Choose another rubric on those assignments first, or keep it.", count(use.Assignments, "assignment"))
			return nil
		}
		d.Notes = []string{"No assignment uses it. Other teachers at your school can no longer reuse it. This cannot be undone."}
		return nil
	})
	return d, err
}

// DeleteRubric deletes an unused rubric the teacher owns.
func (s *Handlers) DeleteRubric(c *kit.Call) {
	err := c.InTx(func(sc *db.Scope) error { return rubrics.Delete(c.R.Context(), sc, c.R.PathValue("id")) })
	if ve, ok := validate.As(err); ok {
		d, lerr := s.rubricConfirm(c, ve.Error())
		if lerr != nil {
			s.Fail(c, lerr)
			return
		}
		s.RenderStatus(c, http.StatusUnprocessableEntity, "confirm_delete", "Delete rubric", d)
		return
	}
	if err != nil {
		s.Fail(c, err)
		return
	}
	kit.Redirect(c, "/teach/rubrics", "rubric-deleted")
}

// count is "1 grade", "2 grades".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
