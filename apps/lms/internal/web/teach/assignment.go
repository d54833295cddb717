package teach

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"bellwork.dev/bellwork/apps/lms/internal/classes"
	"bellwork.dev/bellwork/apps/lms/internal/coursework"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/rubrics"
	"bellwork.dev/bellwork/apps/lms/internal/storage"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

type assignmentPage struct {
	Assignment  *coursework.Assignment
	Sections    []classes.Section
	Rubric      *rubrics.Rubric
	Attachments []coursework.File
	Work        []coursework.StudentWork
	Due         coursework.Due
	Overrides   []overrideRow
	Unposted    int
	Accepted    string
	Error       string
}

type overrideRow struct{ Who, Due string }

// Assignment shows a teacher one assignment: its settings, where each
// student stands, its due date overrides and attachments.
func (s *Handlers) Assignment(c *kit.Call) {
	d, err := s.loadAssignment(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "assignment_teacher", d.Assignment.Title, d)
}

func (s *Handlers) loadAssignment(c *kit.Call) (*assignmentPage, error) {
	d := &assignmentPage{Accepted: storage.Accepted}
	err := c.InTx(func(sc *db.Scope) (err error) {
		ctx := c.R.Context()
		if d.Assignment, err = coursework.GetAssignment(ctx, sc, c.R.PathValue("id")); err != nil {
			return err
		}
		for _, id := range d.Assignment.SectionIDs {
			sec, err := classes.GetSection(ctx, sc, id)
			if err != nil {
				return err
			}
			d.Sections = append(d.Sections, *sec)
		}
		if d.Assignment.RubricID != nil {
			if d.Rubric, err = rubrics.Get(ctx, sc, *d.Assignment.RubricID); err != nil {
				return err
			}
		}
		if d.Attachments, err = coursework.Attachments(ctx, sc, d.Assignment.ID); err != nil {
			return err
		}
		if d.Work, err = coursework.Roster(ctx, sc, d.Assignment, s.Now()); err != nil {
			return err
		}
		if d.Due, err = coursework.DueDates(ctx, sc, d.Assignment); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, sec := range d.Sections {
		names[sec.ID] = sec.Title
	}
	for _, w := range d.Work {
		names[w.StudentID] = w.Name
		if w.Grade != nil && !w.Grade.Posted {
			d.Unposted++
		}
	}
	for id, t := range d.Due.BySection {
		d.Overrides = append(d.Overrides, overrideRow{"Section " + names[id], coursework.ShowLocal(&t, d.Assignment.TimeZone)})
	}
	for id, t := range d.Due.ByStudent {
		d.Overrides = append(d.Overrides, overrideRow{names[id], coursework.ShowLocal(&t, d.Assignment.TimeZone)})
	}
	return d, nil
}

// Publish publishes or unpublishes an assignment (form field published=true|false).
func (s *Handlers) Publish(c *kit.Call) {
	id, publish := c.R.PathValue("id"), c.R.PostFormValue("published") == "true"
	if err := c.InTx(func(sc *db.Scope) error { return coursework.SetPublished(c.R.Context(), sc, id, publish) }); err != nil {
		s.Fail(c, err)
		return
	}
	done := "assignment-unpublished"
	if publish {
		done = "assignment-published"
	}
	kit.Redirect(c, "/teach/assignments/"+id, done)
}

// SetOverride gives a section or a student its own due date (target is
// "section:<id>" or "student:<id>"; an empty date removes it).
func (s *Handlers) SetOverride(c *kit.Call) {
	id := c.R.PathValue("id")
	kind, target, _ := strings.Cut(c.R.PostFormValue("target"), ":")
	var section, student string
	switch kind {
	case "section":
		section = target
	case "student":
		student = target
	}
	err := c.InTx(func(sc *db.Scope) error {
		return coursework.SetDueOverride(c.R.Context(), sc, id, section, student, c.R.PostFormValue("due"))
	})
	if s.assignmentAgain(c, err) {
		return
	}
	kit.Redirect(c, "/teach/assignments/"+id, "override-saved")
}

// Attach uploads a file to the assignment, streaming it to storage.
func (s *Handlers) Attach(c *kit.Call) {
	id := c.R.PathValue("id")
	var stored *coursework.Stored
	_, err := kit.StreamUpload(c, func(name string, r io.Reader) (err error) {
		stored, err = coursework.StoreUpload(c.R.Context(), s.Config.Files, c.Tenant.Name(), name, r, s.Config.MaxFileUpload)
		return err
	})
	if err == nil {
		err = c.InTx(func(sc *db.Scope) error {
			f, err := coursework.RecordUpload(c.R.Context(), sc, stored)
			if err != nil {
				return err
			}
			return coursework.Attach(c.R.Context(), sc, id, f.ID)
		})
		if err != nil {
			coursework.Discard(c.R.Context(), s.Config.Files, stored)
		}
	}
	if ue, ok := storage.IsUploadError(err); ok {
		err = validate.Errors{{Field: "file", Message: ue.Message}}
	}
	if s.assignmentAgain(c, err) {
		return
	}
	kit.Redirect(c, "/teach/assignments/"+id, "file-attached")
}

// PostGrades makes the assignment's grades visible to students and guardians.
func (s *Handlers) PostGrades(c *kit.Call) {
	id := c.R.PathValue("id")
	err := c.InTx(func(sc *db.Scope) error {
		_, err := coursework.PostGrades(c.R.Context(), sc, id, s.Now())
		return err
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	kit.Redirect(c, "/teach/assignments/"+id, "grades-posted")
}

// assignmentAgain shows the assignment page with the problem (422), or
// fails; it reports whether it answered.
func (s *Handlers) assignmentAgain(c *kit.Call, err error) bool {
	if err == nil {
		return false
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = validate.Errors{{Field: "file", Message: "The file is larger than " + storage.Size(s.Config.MaxFileUpload) + ". Make it smaller or share a link to it instead."}}
	}
	ve, invalid := validate.As(err)
	if !invalid {
		s.Fail(c, err)
		return true
	}
	d, lerr := s.loadAssignment(c)
	if lerr != nil {
		s.Fail(c, lerr)
		return true
	}
	d.Error = ve.Error()
	s.RenderStatus(c, http.StatusUnprocessableEntity, "assignment_teacher", d.Assignment.Title, d)
	return true
}
