package roster

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bellwork.dev/bellwork/internal/dev/fixtures"
)

// loadEdfi returns the CSV files of the Ed-Fi OneRoster 1.1 sample by base
// name, read in place and never "fixed": its quirks are what the parser
// must take.
func loadEdfi(tb testing.TB) map[string][]byte {
	tb.Helper()
	edfiFixture := fixtures.Path(tb, "oneroster/edfi-1.1")
	entries, err := os.ReadDir(edfiFixture)
	if err != nil {
		tb.Fatalf("reading fixture folder: %v", err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".csv") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(edfiFixture, e.Name()))
		if err != nil {
			tb.Fatalf("reading fixture: %v", err)
		}
		files[e.Name()] = data
	}
	return files
}

// withLine returns a copy of files where, on the given 1-based line of file,
// old is replaced by new. It fails the test when old is not on that line, so
// a mutation cannot silently stop applying.
func withLine(tb testing.TB, files map[string][]byte, file string, line int, old, new string) map[string][]byte {
	tb.Helper()
	lines := strings.Split(string(files[file]), "\n")
	if line < 1 || line > len(lines) || !strings.Contains(lines[line-1], old) {
		tb.Fatalf("%s line %d does not contain %q", file, line, old)
	}
	lines[line-1] = strings.Replace(lines[line-1], old, new, 1)
	return withFile(files, file, []byte(strings.Join(lines, "\n")))
}

// withFile returns a copy of files with file set to data, or removed when
// data is nil.
func withFile(files map[string][]byte, file string, data []byte) map[string][]byte {
	out := make(map[string][]byte, len(files))
	for name, d := range files {
		out[name] = d
	}
	if data == nil {
		delete(out, file)
	} else {
		out[file] = data
	}
	return out
}

// countDataRows counts the data rows of a fixture file (lines after the
// header), so tests do not hard-code what the files hold.
func countDataRows(data []byte) int {
	return len(strings.Split(strings.TrimRight(string(data), "\r\n"), "\n")) - 1
}
