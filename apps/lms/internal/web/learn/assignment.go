package learn

import (
	"errors"
	"io"
	"net/http"
	"strconv"

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
	Rubric      *rubrics.Rubric
	Attachments []coursework.File
	Work        coursework.StudentWork
	Attempts    []coursework.Submission
	Open        bool
	// Closed: its lock date has passed (it shows, but takes nothing).
	Closed     bool
	Accepted   string
	Errors     validate.Errors
	Text, Link string
	// SectionTitle names the student's class the assignment is in.
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

// Assignment shows a student one assignment: instructions, attachments,
// their attempts, the submit forms while it is open, and the grade once
// posted (with the rubric's levels).
func (s *Handlers) Assignment(c *kit.Call) {
	d, err := s.loadAssignment(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, "assignment_student", d.Assignment.Title, d)
}

func (s *Handlers) loadAssignment(c *kit.Call) (*assignmentPage, error) {
	d := &assignmentPage{Accepted: storage.Accepted}
	err := c.InTx(func(sc *db.Scope) (err error) {
		ctx := c.R.Context()
		if d.Assignment, err = coursework.GetAssignment(ctx, sc, c.R.PathValue("id")); err != nil {
			return err
		}
		if d.Assignment.RubricID != nil {
			if d.Rubric, err = rubrics.Get(ctx, sc, *d.Assignment.RubricID); err != nil {
				return err
			}
		}
		if d.Attachments, err = coursework.Attachments(ctx, sc, d.Assignment.ID); err != nil {
			return err
		}
		if d.Work, err = coursework.MyWork(ctx, sc, d.Assignment, c.User.ID, s.Now()); err != nil {
			return err
		}
		if d.Attempts, err = coursework.Attempts(ctx, sc, d.Assignment.ID, c.User.ID); err != nil {
			return err
		}
		if d.Work.SectionID != "" {
			sec, err := classes.GetSection(ctx, sc, d.Work.SectionID)
			if err != nil {
				return err
			}
			d.SectionTitle = sec.Title
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	d.Open = d.Assignment.Open(s.Now())
	d.Closed = d.Assignment.LockAt != nil && !s.Now().Before(*d.Assignment.LockAt)
	return d, nil
}

// Submit hands in text or a link as a new attempt.
func (s *Handlers) Submit(c *kit.Call) {
	id := c.R.PathValue("id")
	in := coursework.SubmissionInput{Kind: c.R.PostFormValue("kind"), Body: c.R.PostFormValue("body"), URL: c.R.PostFormValue("url")}
	err := c.InTx(func(sc *db.Scope) error {
		_, err := coursework.Submit(c.R.Context(), sc, id, in, s.Now())
		return err
	})
	if s.again(c, err, in) {
		return
	}
	kit.Redirect(c, "/learn/assignments/"+id, "submitted")
}

// SubmitFile streams an uploaded file to storage, then hands it in.
func (s *Handlers) SubmitFile(c *kit.Call) {
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
			_, err = coursework.Submit(c.R.Context(), sc, id, coursework.SubmissionInput{Kind: "file", FileID: f.ID}, s.Now())
			return err
		})
		if err != nil {
			coursework.Discard(c.R.Context(), s.Config.Files, stored)
		}
	}
	if s.again(c, err, coursework.SubmissionInput{Kind: "file"}) {
		return
	}
	kit.Redirect(c, "/learn/assignments/"+id, "submitted")
}

// again shows the assignment with what is wrong (422), or fails; it
// reports whether it answered.
func (s *Handlers) again(c *kit.Call, err error, in coursework.SubmissionInput) bool {
	if err == nil {
		return false
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = validate.Errors{{Field: "file", Message: "The file is larger than " + storage.Size(s.Config.MaxFileUpload) + ". Make it smaller or share a link to it instead."}}
	}
	if ue, ok := storage.IsUploadError(err); ok {
		err = validate.Errors{{Field: "file", Message: ue.Message}}
	}
	if errors.Is(err, db.ErrForbidden) {
		err = validate.Problem("This assignment is not open for submissions.")
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
	d.Errors, d.Text, d.Link = ve, in.Body, in.URL
	s.RenderStatus(c, http.StatusUnprocessableEntity, "assignment_student", d.Assignment.Title, d)
	return true
}
