package api

import (
	"errors"
	"io"
	"net/http"

	"bellwork.dev/bellwork/apps/lms/internal/coursework"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/storage"
	"bellwork.dev/bellwork/apps/lms/internal/validate"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// Files through the API: the same streamed, content-checked uploads as the
// Teach and Learn pages (multipart, one part named file; the CSRF token in
// the X-CSRF-Token header). Download a file with GET /files/{id}.

// fileUploadForm documents the multipart body of the upload endpoints.
type fileUploadForm struct {
	File kit.FormFile `json:"file" doc:"The file; its type is read from its content, not its name"`
}

type fileList struct {
	Items []coursework.File `json:"items"`
}

// Attachments lists an assignment's files.
func (s *Handlers) Attachments(c *kit.Call) {
	out := fileList{Items: []coursework.File{}}
	err := c.InTx(func(sc *db.Scope) error {
		if _, err := coursework.GetAssignment(c.R.Context(), sc, c.R.PathValue("id")); err != nil {
			return err
		}
		list, err := coursework.Attachments(c.R.Context(), sc, c.R.PathValue("id"))
		if list != nil {
			out.Items = list
		}
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	kit.WriteJSON(c, http.StatusOK, out)
}

// Attach uploads a file and attaches it to an assignment the teacher teaches.
func (s *Handlers) Attach(c *kit.Call) {
	var f *coursework.File
	err := s.upload(c, func(sc *db.Scope, file *coursework.File) error {
		f = file
		return coursework.Attach(c.R.Context(), sc, c.R.PathValue("id"), file.ID)
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	kit.WriteJSON(c, http.StatusCreated, f)
}

// SubmitFile uploads a file and hands it in as the calling student's next attempt.
func (s *Handlers) SubmitFile(c *kit.Call) {
	var sub *coursework.Submission
	err := s.upload(c, func(sc *db.Scope, file *coursework.File) (err error) {
		sub, err = coursework.Submit(c.R.Context(), sc, c.R.PathValue("id"), coursework.SubmissionInput{Kind: "file", FileID: file.ID}, s.Now())
		return err
	})
	if errors.Is(err, db.ErrForbidden) {
		err = validate.Problem("This assignment is not open for submissions.")
	}
	if err != nil {
		s.apiFail(c, err)
		return
	}
	kit.WriteJSON(c, http.StatusCreated, sub)
}

// upload streams the request's file to storage, checking its content and
// size, then records it and runs use in one transaction; when that fails
// the stored object is removed. Upload problems are field errors (422).
func (s *Handlers) upload(c *kit.Call, use func(*db.Scope, *coursework.File) error) error {
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
			return use(sc, f)
		})
		if err != nil {
			coursework.Discard(c.R.Context(), s.Config.Files, stored)
		}
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return validate.Errors{{Field: "file", Message: "The file is larger than " + storage.Size(s.Config.MaxFileUpload) + ". Make it smaller or share a link to it instead."}}
	}
	if ue, ok := storage.IsUploadError(err); ok {
		return validate.Errors{{Field: "file", Message: ue.Message}}
	}
	return err
}

type attemptList struct {
	Items []coursework.Submission `json:"items"`
}

// Attempts lists one student's attempts at an assignment, newest first
// (the grading view's submission panel).
func (s *Handlers) Attempts(c *kit.Call) {
	out := attemptList{Items: []coursework.Submission{}}
	err := c.InTx(func(sc *db.Scope) error {
		if _, err := coursework.GetAssignment(c.R.Context(), sc, c.R.PathValue("id")); err != nil {
			return err
		}
		list, err := coursework.Attempts(c.R.Context(), sc, c.R.PathValue("id"), c.R.PathValue("student"))
		if list != nil {
			out.Items = list
		}
		return err
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	kit.WriteJSON(c, http.StatusOK, out)
}
