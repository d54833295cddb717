package importer

import "testing"

// The upload form may leave the format out: a zip or a bundle's own files
// mean OneRoster, one lone CSV the users CSV, anything else nothing; and
// an import's stored kind finds its format again for the job.
func TestFormatsAreDetectedFromFileNamesAndFoundByName(t *testing.T) {
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{[]string{"roster.ZIP"}, "oneroster"},
		{[]string{"manifest.csv", "orgs.csv", "users.csv"}, "oneroster"},
		{[]string{"enrollments.csv"}, "oneroster"},
		{[]string{"staff.csv"}, "users_csv"},
		{[]string{"a.csv", "b.csv"}, ""},
		{[]string{"notes.txt"}, ""},
	} {
		f, ok := Detect(tc.names)
		if got := ""; ok {
			got = f.Name
			if got != tc.want {
				t.Errorf("%v detected as %q, want %q", tc.names, got, tc.want)
			}
		} else if tc.want != "" {
			t.Errorf("%v not detected, want %q", tc.names, tc.want)
		}
	}
	for _, f := range Formats() {
		if g, ok := FormatNamed(f.Name); !ok || g != f {
			t.Errorf("format %q not found by name", f.Name)
		}
	}
	if _, ok := FormatNamed("csv"); ok {
		t.Error("an unknown kind found a format")
	}
}
