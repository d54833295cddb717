package roster

import (
	"bytes"
	"io"
)

// Source is one uploaded file, opened each time it is read, so that its
// contents are streamed from where they are kept (a spooled temporary
// file, a zip entry, the file store) rather than held whole in memory.
type Source interface {
	Open() (io.ReadCloser, error)
	// Size is the file's length in bytes.
	Size() int64
}

// Files are an upload's files by base name, such as "users.csv".
type Files map[string]Source

// Names lists the files.
func (f Files) Names() []string {
	names := make([]string, 0, len(f))
	for name := range f {
		names = append(names, name)
	}
	return names
}

// BytesFiles wraps files held in memory (tests, small bundles built from a
// REST provider's pages).
func BytesFiles(files map[string][]byte) Files {
	out := make(Files, len(files))
	for name, data := range files {
		out[name] = BytesSource(data)
	}
	return out
}

// BytesSource is a file held in memory.
func BytesSource(data []byte) Source { return bytesSource(data) }

type bytesSource []byte

func (b bytesSource) Open() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
func (b bytesSource) Size() int64                  { return int64(len(b)) }

// ReaderAtSource is a file of size bytes read from r (a spooled upload).
func ReaderAtSource(r io.ReaderAt, size int64) Source { return readerAtSource{r, size} }

type readerAtSource struct {
	r    io.ReaderAt
	size int64
}

func (s readerAtSource) Open() (io.ReadCloser, error) {
	return io.NopCloser(io.NewSectionReader(s.r, 0, s.size)), nil
}
func (s readerAtSource) Size() int64 { return s.size }

// ReadAll reads a Source whole, for the few callers that need the bytes.
func ReadAll(s Source) ([]byte, error) {
	rc, err := s.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}
