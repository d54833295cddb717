package web

import (
	"errors"
	"io"
	"mime"
	"strconv"

	"bellwork.dev/bellwork/apps/lms/internal/coursework"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/storage"
	"bellwork.dev/bellwork/apps/lms/internal/web/kit"
)

// file streams an uploaded file to someone who may see its record (row-level
// security decides: the uploader, and those who see the work or the
// submission it is attached to). It is always a download, with the type
// read from its content at upload, so nothing uploaded runs in the page.
func (s *Server) file(c *kit.Call) {
	var f *coursework.File
	err := c.InTx(func(sc *db.Scope) (err error) {
		f, err = coursework.GetFile(c.R.Context(), sc, c.R.PathValue("id"))
		return err
	})
	if err != nil {
		s.Fail(c, err)
		return
	}
	if s.Config.Files == nil {
		s.NotFound(c)
		return
	}
	r, err := s.Config.Files.Get(c.R.Context(), f.StorageKey)
	if errors.Is(err, storage.ErrNotFound) {
		s.NotFound(c)
		return
	}
	if err != nil {
		s.Fail(c, err)
		return
	}
	defer r.Close()
	h := c.W.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Length", strconv.FormatInt(f.SizeBytes, 10))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	_, _ = io.Copy(c.W, r)
}
