package roster

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strings"
)

// maxZipEntries bounds how many entries an uploaded zip may hold.
const maxZipEntries = 200

// maxZipRatio bounds how many times its own size a zip may inflate to
// (plus zipRatioSlack, for tiny zips). Roster CSV compresses about 5 to 20
// times; a zip bomb compresses hundreds or thousands of times.
const (
	maxZipRatio   = 100
	zipRatioSlack = 1 << 20
)

// Errors ReadZip returns, so the upload page can tell the admin what is
// wrong without showing raw error text.
var (
	ErrZipUnsafePath     = errors.New("zip entry name is absolute or climbs out of its folder")
	ErrZipTooLarge       = errors.New("zip holds more data than allowed")
	ErrZipTooManyEntries = errors.New("zip holds too many entries")
	ErrZipDuplicateFile  = errors.New("zip holds two CSV files with the same name")
)

// ReadZip extracts the .csv files of an uploaded zip into memory, keyed by
// base name ("exports/2024/users.csv" becomes "users.csv"), for
// ParseOneRoster. It writes nothing to disk. The whole zip is refused when
// any entry name is absolute or contains a ".." element, when it has more
// than 200 entries, when the CSV files hold more than maxBytes uncompressed
// or more than 100 times the zip's own size (both counted as read, not
// trusted from the headers, so a zip bomb stops after that much), or when
// two CSV files share a base name. macOS "__MACOSX/" and "._*" companions are skipped.
func ReadZip(r io.ReaderAt, size int64, maxBytes int64) (map[string][]byte, error) {
	files, err := OpenZip(r, size, maxBytes)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(files))
	for name, src := range files {
		data, err := ReadAll(src)
		if err != nil {
			return nil, fmt.Errorf("roster: reading zip entry %q: %w", name, err)
		}
		out[name] = data
	}
	return out, nil
}

// OpenZip checks an uploaded zip as ReadZip does, inflating each CSV file
// once to count its size (into nothing, so a zip bomb costs time bounded by
// the limits, not memory), and returns its CSV files as Sources that
// inflate the entry again each time they are opened. r must stay readable
// while the Files are used.
func OpenZip(r io.ReaderAt, size int64, maxBytes int64) (Files, error) {
	zr, err := zip.NewReader(r, size)
	if errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("roster: reading zip: %w", ErrZipUnsafePath)
	}
	if err != nil {
		return nil, fmt.Errorf("roster: reading zip: %w", err)
	}
	if len(zr.File) > maxZipEntries {
		return nil, fmt.Errorf("roster: zip has %d entries, at most %d allowed: %w", len(zr.File), maxZipEntries, ErrZipTooManyEntries)
	}
	for _, f := range zr.File {
		if unsafeZipName(f.Name) {
			return nil, fmt.Errorf("roster: zip entry %q: %w", f.Name, ErrZipUnsafePath)
		}
	}
	files := Files{}
	remaining := maxBytes
	if size >= 0 && size < (math.MaxInt64-zipRatioSlack)/maxZipRatio {
		remaining = min(remaining, size*maxZipRatio+zipRatioSlack)
	}
	for _, f := range zr.File {
		name, ok := csvBaseName(f)
		if !ok {
			continue
		}
		if _, dup := files[name]; dup {
			return nil, fmt.Errorf("roster: zip entry %q: %w", f.Name, ErrZipDuplicateFile)
		}
		n, err := countZipEntry(f, remaining)
		if err != nil {
			return nil, err
		}
		remaining -= n
		files[name] = zipSource{f: f, size: n}
	}
	return files, nil
}

// zipSource is a checked zip entry, inflated anew on each Open.
type zipSource struct {
	f    *zip.File
	size int64
}

func (z zipSource) Open() (io.ReadCloser, error) {
	rc, err := z.f.Open()
	if err != nil {
		return nil, err
	}
	// Never more than was counted, whatever the entry's header says.
	return struct {
		io.Reader
		io.Closer
	}{io.LimitReader(rc, z.size), rc}, nil
}

func (z zipSource) Size() int64 { return z.size }

// countZipEntry inflates one entry into nothing, failing once more than
// remaining bytes come out of it whatever its header claims.
func countZipEntry(f *zip.File, remaining int64) (int64, error) {
	if remaining < 0 || f.UncompressedSize64 > uint64(remaining) {
		return 0, fmt.Errorf("roster: zip entry %q: %w", f.Name, ErrZipTooLarge)
	}
	rc, err := f.Open()
	if err != nil {
		return 0, fmt.Errorf("roster: opening zip entry %q: %w", f.Name, err)
	}
	defer rc.Close()
	limit := remaining
	if limit < math.MaxInt64 {
		limit++ // one byte more than allowed shows that the entry is too large
	}
	n, err := io.Copy(io.Discard, io.LimitReader(rc, limit))
	if err != nil {
		return 0, fmt.Errorf("roster: reading zip entry %q: %w", f.Name, err)
	}
	if n > remaining {
		return 0, fmt.Errorf("roster: zip entry %q: %w", f.Name, ErrZipTooLarge)
	}
	return n, nil
}

// unsafeZipName reports names that could escape a folder if anyone ever
// extracted them: absolute paths, Windows drive paths and ".." elements,
// with either slash. Such a zip was built carelessly or with intent; either
// way nothing in it is trusted.
func unsafeZipName(name string) bool {
	name = strings.ReplaceAll(name, `\`, "/")
	if strings.HasPrefix(name, "/") || (len(name) >= 2 && name[1] == ':') {
		return true
	}
	for element := range strings.SplitSeq(name, "/") {
		if element == ".." {
			return true
		}
	}
	return false
}

// csvBaseName returns the base name of a CSV file entry, skipping folders,
// other files and the "__MACOSX" and "._" companions macOS adds.
func csvBaseName(f *zip.File) (string, bool) {
	name := strings.ReplaceAll(f.Name, `\`, "/")
	base := path.Base(name)
	switch {
	case f.FileInfo().IsDir(), strings.HasSuffix(name, "/"):
		return "", false
	case strings.HasPrefix(name, "__MACOSX/"), strings.HasPrefix(base, "._"):
		return "", false
	case !strings.HasSuffix(strings.ToLower(base), ".csv"):
		return "", false
	}
	return base, true
}
