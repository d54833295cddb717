package kit

import (
	"errors"
	"io"
	"net/url"

	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// ErrNoFile is an upload form sent without a file.
var ErrNoFile = validate.Errors{{Field: "file", Message: "Choose a file to upload."}}

// StreamUpload walks the rest of an upload route's body (Route.Stream):
// small fields are collected (64 KB each at most), and the part named
// "file" is handed to save as it arrives, never buffered whole. It returns
// the fields and ErrNoFile when no file was chosen.
func StreamUpload(c *Call, save func(name string, r io.Reader) error) (url.Values, error) {
	fields := url.Values{}
	mr, err := c.MultipartReader()
	if err != nil {
		return fields, ErrNoFile
	}
	saved := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fields, err
		}
		if part.FormName() == "file" && part.FileName() != "" && !saved {
			if err := save(part.FileName(), part); err != nil {
				return fields, err
			}
			saved = true
			continue
		}
		v, err := io.ReadAll(io.LimitReader(part, 64<<10))
		if err != nil {
			return fields, err
		}
		fields.Add(part.FormName(), string(v))
	}
	if !saved {
		return fields, ErrNoFile
	}
	return fields, nil
}
