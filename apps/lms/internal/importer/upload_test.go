package importer

import (
	"testing"

	"bellwork.dev/bellwork/apps/lms/internal/validate"
)

// What is wrong with an upload comes back as one field's sentence, which
// the import form shows as it is.
func TestCollectExplainsWhatIsWrongWithAnUpload(t *testing.T) {
	csv := BytesUpload(`C:\exports\users.csv`, []byte("email\n"))
	format, files, err := Collect("", []Upload{csv}, 1<<20)
	if err != nil || format == nil || files["users.csv"] == nil {
		t.Fatalf("a lone CSV is detected and its folders dropped: %v %v %v", format, files, err)
	}
	for name, tc := range map[string]struct {
		kind    string
		uploads []Upload
		field   string
	}{
		"unknown format": {"nope", []Upload{csv}, "kind"},
		"no files":       {"users_csv", nil, "files"},
		"not a csv":      {"users_csv", []Upload{BytesUpload("users.xlsx", nil)}, "files"},
		"broken zip":     {"oneroster", []Upload{BytesUpload("bundle.zip", []byte("not a zip"))}, "files"},
	} {
		_, _, err := Collect(tc.kind, tc.uploads, 1<<20)
		if ve, ok := validate.As(err); !ok || ve.For(tc.field) == "" {
			t.Errorf("%s: want a message for %s, got %v", name, tc.field, err)
		}
	}
}
