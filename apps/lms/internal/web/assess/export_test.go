package assess

import "testing"

// Cells a spreadsheet would run as formulas are defused with a leading
// apostrophe; everything else, numbers included, is unchanged.
func TestDefuseNeutralisesFormulaCells(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("http://evil","x")`: `'=HYPERLINK("http://evil","x")`,
		"+SUM(A1:A9)":                   "'+SUM(A1:A9)",
		"-2+3":                          "'-2+3",
		"@cmd":                          "'@cmd",
		"\tleading tab":                 "'\tleading tab",
		"\rcarriage":                    "'\rcarriage",
		"Kim Lee":                       "Kim Lee",
		"88.00":                         "88.00",
		"a=b":                           "a=b",
		"":                              "",
	} {
		if got := Defuse(in); got != want {
			t.Errorf("Defuse(%q) = %q, want %q", in, got, want)
		}
	}
}
