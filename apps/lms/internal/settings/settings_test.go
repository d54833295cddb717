package settings

import "testing"

// Names are shown in the district's order; a missing half leaves no stray
// space, and no name at all falls back (to the e-mail address).
func TestDisplayNameFollowsTheOrder(t *testing.T) {
	for _, tt := range []struct{ order, given, family, want string }{
		{GivenFamily, "Mary", "Archer", "Mary Archer"},
		{FamilyGiven, "Mary", "Archer", "Archer Mary"},
		{FamilyGiven, "明", "李", "李 明"},
		{FamilyGiven, "", "Archer", "Archer"},
		{GivenFamily, "Mary", "", "Mary"},
		{FamilyGiven, " ", "", "m@x.org"},
		{"", "Mary", "Archer", "Mary Archer"},
	} {
		if got := DisplayName(tt.order, tt.given, tt.family, "m@x.org"); got != tt.want {
			t.Errorf("DisplayName(%q, %q, %q) = %q, want %q", tt.order, tt.given, tt.family, got, tt.want)
		}
	}
}
