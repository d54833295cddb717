package roster

import (
	"bytes"
	"errors"
	"testing"
)

// A small zip that inflates far beyond what a roster compresses to is
// refused while it is read, before its data is all in memory, even when
// the total it inflates to is under the size limit.
func TestReadZipRefusesAZipBomb(t *testing.T) {
	row := []byte("sourcedId,status,dateLastModified,orgSourcedIds,role,username\n")
	bomb := bytes.Repeat(row, (8<<20)/len(row)) // 8 MB of one row, a few KB zipped
	r := buildZip(t, zipEntry{"users.csv", bomb})
	if ratio := int64(len(bomb)) / r.Size(); ratio < maxZipRatio {
		t.Fatalf("test zip inflates only %dx; it must exceed %dx", ratio, maxZipRatio)
	}
	_, err := ReadZip(r, r.Size(), 1<<30)
	if !errors.Is(err, ErrZipTooLarge) {
		t.Fatalf("ReadZip of a zip bomb: %v, want ErrZipTooLarge", err)
	}
}

// Real bundles compress well but far less than a bomb; the fixture zipped
// is read in full.
func TestReadZipAcceptsOrdinaryCompression(t *testing.T) {
	fixture := loadEdfi(t)
	var entries []zipEntry
	for name, data := range fixture {
		entries = append(entries, zipEntry{name, data})
	}
	r := buildZip(t, entries...)
	files, err := ReadZip(r, r.Size(), 1<<20)
	if err != nil || len(files) != len(fixture) {
		t.Fatalf("ReadZip: %d files, %v", len(files), err)
	}
}
