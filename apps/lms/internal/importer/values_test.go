package importer

import (
	"strings"
	"testing"
)

func TestPlaceholderEmailsAreValidDistinctAndStable(t *testing.T) {
	cases := map[string]string{
		"604863":      "604863@noemail.invalid",
		"abc_1.x-2":   "abc_1.x-2@noemail.invalid",
		"{Local:863}": "-local-863--",
		"A B":         "a-b-",
		"a-b":         "a-b@noemail.invalid",
	}
	seen := map[string]string{}
	for id, want := range cases {
		got := placeholderEmail(id)
		if !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "@noemail.invalid") || got != strings.ToLower(got) {
			t.Errorf("placeholderEmail(%q) = %q, want it to start with %q", id, got, want)
		}
		if other, dup := seen[got]; dup {
			t.Errorf("%q and %q share %q", id, other, got)
		}
		seen[got] = id
		if placeholderEmail(id) != got {
			t.Errorf("placeholderEmail(%q) is not stable", id)
		}
	}
	if long := placeholderEmail(strings.Repeat("x", 200)); len(long) > 80 {
		t.Errorf("a long sourcedId gives %d characters", len(long))
	}
}

func TestGradesLoseLeadingZerosOnly(t *testing.T) {
	for in, want := range map[string]string{"09": "9", "12": "12", "0": "0", "00": "0", "KG": "KG", "PK": "PK", " 07 ": "7", "": ""} {
		if got := normalizeGrade(in); got != want {
			t.Errorf("normalizeGrade(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMembershipsAreDescribedByRoleAndSchool(t *testing.T) {
	a, b := &school{Name: "Lincoln High"}, &school{Name: "Washington High"}
	cases := []struct {
		ms   []wantMembership
		want string
	}{
		{nil, "no role"},
		{[]wantMembership{{a, "student"}}, "student at Lincoln High"},
		{[]wantMembership{{a, "teacher"}, {b, "teacher"}}, "teacher at Lincoln High, Washington High"},
		{[]wantMembership{{nil, "district_admin"}, {a, "school_admin"}}, "district admin; school admin at Lincoln High"},
	}
	for _, c := range cases {
		if got := describeMemberships(c.ms); got != c.want {
			t.Errorf("describeMemberships(%v) = %q, want %q", c.ms, got, c.want)
		}
	}
}

func TestPlanCountsWritesAndKeepsTheFirstItems(t *testing.T) {
	p := newPlan()
	if !p.Empty() || p.Total() != 0 {
		t.Fatalf("new plan: empty %v, total %d", p.Empty(), p.Total())
	}
	for range maxItems + 10 {
		p.change(EntityUser, ActionCreate, "u", "")
	}
	p.change(EntityEnrollment, ActionDelete, "e", "")
	p.unchanged(EntityTerm)
	if p.Total() != maxItems+11 || p.Empty() || len(p.Items) != maxItems {
		t.Errorf("total %d, empty %v, %d items", p.Total(), p.Empty(), len(p.Items))
	}
	only := newPlan()
	only.unchanged(EntityUser)
	if !only.Empty() {
		t.Errorf("a plan of unchanged rows is not empty")
	}
}
