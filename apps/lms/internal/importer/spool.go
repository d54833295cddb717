package importer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path"
	"strings"

	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// ErrUploadTooLarge marks (with the form's message) a body over the limit.
var ErrUploadTooLarge = errors.New("upload over the size limit")

// maxUploadFiles bounds how many files one upload may hold; a OneRoster
// bundle has about ten.
const maxUploadFiles = 50

// Spool is an upload form read from a multipart body: its "kind" field and
// its "files", each streamed to a temporary file that is already unlinked,
// so nothing of it stays on disk once Close runs (or the process ends).
type Spool struct {
	Kind    string
	Uploads []Upload
	temps   []*os.File
}

// SpoolMultipart reads the parts left in mr. The body's size limit is the
// caller's (http.MaxBytesReader); going over it, or a body that cannot be
// read, is a validate.Errors worded for the form. Close the Spool even
// when an error is returned.
func SpoolMultipart(mr *multipart.Reader) (*Spool, error) {
	s := &Spool{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return s, nil
		}
		if err != nil {
			return s, uploadReadError(err, "")
		}
		switch part.FormName() {
		case "kind":
			v, err := io.ReadAll(io.LimitReader(part, 64))
			if err != nil {
				return s, uploadReadError(err, "")
			}
			s.Kind = strings.TrimSpace(string(v))
		case "files":
			if part.FileName() == "" {
				break // an empty file input
			}
			if len(s.temps) == maxUploadFiles {
				return s, invalid("files", "Upload at most 50 files at once, or one .zip file.")
			}
			if err := s.spool(part); err != nil {
				return s, err
			}
		}
		part.Close()
	}
}

func (s *Spool) spool(part *multipart.Part) error {
	f, err := os.CreateTemp("", "bellwork-upload-*")
	if err != nil {
		return err
	}
	// Unlinked at once: the open file is all that remains, and it goes
	// when closed, even if the process dies first.
	_ = os.Remove(f.Name())
	s.temps = append(s.temps, f)
	n, err := io.Copy(f, part)
	if err != nil {
		return uploadReadError(err, part.FileName())
	}
	s.Uploads = append(s.Uploads, Upload{Name: part.FileName(), Body: f, Size: n})
	return nil
}

// Close removes the spooled files.
func (s *Spool) Close() {
	for _, f := range s.temps {
		_ = f.Close()
	}
	s.temps = nil
}

func uploadReadError(err error, name string) error {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return fmt.Errorf("%w: %w", ErrUploadTooLarge, validate.Problem("The upload is larger than the limit. Split the roster or remove unused files."))
	case name != "":
		return validate.Problem("The file " + path.Base(name) + " could not be read. Choose it again.")
	}
	return validate.Problem("The upload could not be read. Choose the files again.")
}

// BytesUpload is an upload held in memory (tests, small API bodies).
func BytesUpload(name string, data []byte) Upload {
	return Upload{Name: name, Body: bytes.NewReader(data), Size: int64(len(data))}
}
