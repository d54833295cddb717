// Package storage is where the LMS keeps uploaded files: one interface
// (the backup package's Store, so both use the same minio-go client and
// configuration against S3, or a folder), chosen by one setting, and the
// check every upload passes on its way in: its kind is read from its
// content, not its name, and its size is counted as it streams, so a file
// is never held whole in memory.
package storage

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"

	"bellwork.dev/bellwork/internal/backup"
)

// Store keeps objects by key: backup.FolderStore locally, backup.S3Store in clusters.
type Store = backup.Store

// ErrNotFound is a missing object.
var ErrNotFound = backup.ErrNotFound

// Folder keeps files under dir.
func Folder(dir string) Store { return &backup.FolderStore{Dir: dir} }

// S3 keeps files in a bucket (the backup package's configuration shape).
func S3(cfg backup.S3Config) (Store, error) { return backup.NewS3Store(cfg) }

// UploadError is an upload refused for what it is: its message tells the
// person what to do.
type UploadError struct{ Message string }

func (e *UploadError) Error() string { return e.Message }

// IsUploadError finds an UploadError in err.
func IsUploadError(err error) (*UploadError, bool) {
	var ue *UploadError
	ok := errors.As(err, &ue)
	return ue, ok
}

// Kind is what an upload turned out to be.
type Kind struct {
	ContentType string
	Label       string
}

// sniffed maps what http.DetectContentType reads from the first bytes to
// the kinds the LMS takes. HTML, scripts, executables and anything it
// cannot name are refused: served back, they could run in a browser or on
// a student's machine.
var sniffed = map[string]Kind{
	"application/pdf":           {"application/pdf", "PDF"},
	"image/png":                 {"image/png", "PNG image"},
	"image/jpeg":                {"image/jpeg", "JPEG image"},
	"image/gif":                 {"image/gif", "GIF image"},
	"image/webp":                {"image/webp", "WebP image"},
	"audio/mpeg":                {"audio/mpeg", "MP3 audio"},
	"video/mp4":                 {"video/mp4", "MP4 video"},
	"text/plain; charset=utf-8": {"text/plain; charset=utf-8", "text"},
}

// zipped are the office formats that are zip archives inside: the content
// must be a zip and the name must say which.
var zipped = map[string]Kind{
	".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document"},
	".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel workbook"},
	".pptx": {"application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint presentation"},
	".odt":  {"application/vnd.oasis.opendocument.text", "OpenDocument text"},
	".zip":  {"application/zip", "zip archive"},
}

// Accepted names the kinds an upload may be, for forms.
const Accepted = "PDF, Word, Excel, PowerPoint, OpenDocument text, zip, plain text, PNG, JPEG, GIF, WebP, MP3 or MP4"

// Checked is an upload being streamed: its kind is known from its first
// bytes; reading it yields the whole content and fails with an
// UploadError once more than the limit has been read.
type Checked struct {
	Kind Kind
	r    io.Reader
	n    int64
	max  int64
}

// Check reads the first bytes of r to tell what it is, and returns a
// reader of the whole upload that stops it past max bytes.
func Check(r io.Reader, name string, max int64) (*Checked, error) {
	br := bufio.NewReaderSize(r, 512)
	head, err := br.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("read upload: %w", err)
	}
	if len(head) == 0 {
		return nil, &UploadError{"The file is empty. Choose the file again."}
	}
	detected := http.DetectContentType(head)
	kind, ok := sniffed[detected]
	if detected == "application/zip" {
		kind, ok = zipped[strings.ToLower(path.Ext(name))]
	}
	if !ok {
		return nil, &UploadError{fmt.Sprintf("This file's content is not a kind Bellwork takes (it reads as %s, whatever its name says). Upload a %s file.",
			friendly(detected), Accepted)}
	}
	return &Checked{Kind: kind, r: br, max: max}, nil
}

// Read passes the upload through, counting.
func (c *Checked) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.max {
		return n, &UploadError{fmt.Sprintf("The file is larger than %s. Make it smaller or share a link to it instead.", Size(c.max))}
	}
	return n, err
}

// Size is the number of bytes read so far (all of it, once read to the end).
func (c *Checked) Size() int64 { return c.n }

func friendly(ct string) string {
	switch {
	case strings.HasPrefix(ct, "text/html"):
		return "a web page"
	case ct == "application/octet-stream":
		return "an unknown kind of data"
	case ct == "application/zip":
		return "a zip archive with a name Bellwork does not recognise"
	}
	return ct
}

// Size says a byte count as people read it.
func Size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// FromEnv opens the store the environment names, with the backup
// package's variables under the FILES_ prefix: FILES_PATH (a folder), or
// FILES_S3_ENDPOINT, FILES_S3_BUCKET, FILES_S3_PREFIX, FILES_S3_REGION,
// FILES_S3_INSECURE, FILES_S3_SSE, FILES_S3_ACCESS_KEY[_FILE] and
// FILES_S3_SECRET_KEY[_FILE]. Nothing set is no store (nil, nil): uploads
// are then refused with a sentence saying so.
func FromEnv(getenv func(string) string) (Store, error) {
	files := func(name string) string { return getenv("FILES_" + strings.TrimPrefix(name, "BACKUP_")) }
	if files(backup.EnvPath) == "" && files(backup.EnvS3Endpoint) == "" {
		return nil, nil
	}
	st, err := backup.StoreFromEnv(files)
	if err != nil {
		return nil, fmt.Errorf("file storage: %s", strings.ReplaceAll(err.Error(), "BACKUP_", "FILES_"))
	}
	return st, nil
}
