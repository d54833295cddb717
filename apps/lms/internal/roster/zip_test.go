package roster

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"os"
	"testing"

	"bellwork.dev/bellwork/internal/dev/fixtures"
)

type zipEntry struct {
	name string
	data []byte
}

func buildZip(t *testing.T, entries ...zipEntry) *bytes.Reader {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.Create(e.name)
		if err != nil {
			t.Fatalf("creating %s: %v", e.name, err)
		}
		if _, err := w.Write(e.data); err != nil {
			t.Fatalf("writing %s: %v", e.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatalf("closing zip: %v", err)
	}
	return bytes.NewReader(buf.Bytes())
}

// A bundle zipped inside a folder reads back as base names and parses clean;
// folders, non-CSV files and macOS companions are left out.
func TestReadZipReadsABundleInAFolder(t *testing.T) {
	fixture := loadEdfi(t)
	entries := []zipEntry{
		{"export/", nil},
		{"export/README.txt", []byte("not a csv")},
		{"__MACOSX/export/._users.csv", []byte{0, 1, 2}},
		{"export/._orgs.csv", []byte{0, 1, 2}},
	}
	for name, data := range fixture {
		entries = append(entries, zipEntry{"export/2021/" + name, data})
	}
	r := buildZip(t, entries...)

	files, err := ReadZip(r, r.Size(), 1<<20)
	if err != nil {
		t.Fatalf("ReadZip: %v", err)
	}
	if len(files) != len(fixture) {
		t.Errorf("got %d files, want %d", len(files), len(fixture))
	}
	for name, data := range fixture {
		if !bytes.Equal(files[name], data) {
			t.Errorf("%s differs after the round trip through the zip", name)
		}
	}
	if _, problems := ParseOneRoster(files); len(problems) > 0 {
		t.Errorf("problems:\n%s", joinProblems(problems))
	}
}

// Unsafe, oversized and crowded zips are refused whole, with an error the
// upload page can match.
func TestReadZipRefusesDangerousZips(t *testing.T) {
	csv := []byte("a,b\n1,2\n")
	many := make([]zipEntry, maxZipEntries+1)
	for i := range many {
		many[i] = zipEntry{name: fmt.Sprintf("f%d.txt", i)}
	}
	tests := []struct {
		name     string
		entries  []zipEntry
		maxBytes int64
		want     error
	}{
		{"entry climbing out with ..", []zipEntry{{"users.csv", csv}, {"../etc/passwd", csv}}, 1 << 20, ErrZipUnsafePath},
		{"csv entry climbing out with ..", []zipEntry{{"bundle/../../users.csv", csv}}, 1 << 20, ErrZipUnsafePath},
		{"windows-style ..", []zipEntry{{`bundle\..\..\users.csv`, csv}}, 1 << 20, ErrZipUnsafePath},
		{"absolute path", []zipEntry{{"/etc/users.csv", csv}}, 1 << 20, ErrZipUnsafePath},
		{"drive letter", []zipEntry{{"C:/temp/users.csv", csv}}, 1 << 20, ErrZipUnsafePath},
		{"more data than allowed", []zipEntry{{"users.csv", bytes.Repeat([]byte("x"), 600)}, {"orgs.csv", bytes.Repeat([]byte("y"), 600)}}, 1000, ErrZipTooLarge},
		{"too many entries", many, 1 << 20, ErrZipTooManyEntries},
		{"same base name twice", []zipEntry{{"a/users.csv", csv}, {"b/users.csv", csv}}, 1 << 20, ErrZipDuplicateFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := buildZip(t, tt.entries...)
			files, err := ReadZip(r, r.Size(), tt.maxBytes)
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if files != nil {
				t.Errorf("files = %v, want nothing from a refused zip", files)
			}
		})
	}
}

// A zip whose header understates an entry's size is still refused: the
// data is counted as it comes out (and archive/zip checks it against the
// header too), so a lying header cannot smuggle in more than the limit.
func TestReadZipCountsBytesNotHeaders(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	payload := bytes.Repeat([]byte("a,b\n"), 10_000)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "users.csv", Method: zip.Store,
		CompressedSize64: uint64(len(payload)), UncompressedSize64: 10})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(payload); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	r := bytes.NewReader(buf.Bytes())
	files, err := ReadZip(r, r.Size(), 1000)
	if !errors.Is(err, ErrZipTooLarge) && !errors.Is(err, zip.ErrFormat) {
		t.Errorf("err = %v, want the entry refused", err)
	}
	if files != nil {
		t.Errorf("files = %v, want nothing", files)
	}
}

// The real-world ZipSlip package (an entry "../etc/passwd") is refused.
func TestReadZipRefusesZipSlipFixture(t *testing.T) {
	data, err := os.ReadFile(fixtures.Path(t, "qti/qti21-qtiworks/packages/ZipSlip.zip"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := ReadZip(bytes.NewReader(data), int64(len(data)), 1<<20)
	if !errors.Is(err, ErrZipUnsafePath) || files != nil {
		t.Errorf("ReadZip(ZipSlip.zip) = %v, %v; want ErrZipUnsafePath and nothing", files, err)
	}
}

// Bytes that are not a zip give an error, not a panic.
func TestReadZipRejectsNonZip(t *testing.T) {
	data := []byte("sourcedId,name\n")
	if _, err := ReadZip(bytes.NewReader(data), int64(len(data)), 1<<20); err == nil {
		t.Error("ReadZip accepted a CSV file as a zip")
	}
}
