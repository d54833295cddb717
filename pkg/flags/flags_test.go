package flags

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
)

func raw(s string) json.RawMessage { return json.RawMessage(s) }

// onOff is a boolean flag with a rule per kind of targeting.
func onOff(rules ...Rule) Flag {
	return Flag{Variants: map[string]json.RawMessage{"on": raw("true"), "off": raw("false")}, DefaultVariant: "off", Rules: rules}
}

func TestEvaluateFollowsPrecedence(t *testing.T) {
	f := onOff(
		Rule{Tenants: []string{"lincoln"}, Roles: []string{"teacher"}, Variant: "on"},
		Rule{Schools: []string{"WES"}, Attributes: []Match{{Attribute: "grade", Operator: In, Values: []string{"3", "4"}}}, Variant: "on"},
		Rule{Attributes: []Match{{Attribute: "beta", Operator: NotIn, Values: []string{"no"}}}, Roles: []string{"guardian"}, Variant: "on"},
	)
	f.Overrides = Overrides{Tenants: map[string]string{"adams": "on"}, Schools: map[string]string{"adams/AHS": "off", "OLD": "off"}}
	cases := []struct {
		name    string
		c       Context
		variant string
		reason  Reason
		rule    int
	}{
		{"tenant and role rule", Context{Tenant: "lincoln", School: "LHS", Role: "teacher", UserID: "u1"}, "on", TargetingMatch, 0},
		{"role does not match", Context{Tenant: "lincoln", School: "LHS", Role: "student", UserID: "u1"}, "off", Default, -1},
		{"school and attribute", Context{Tenant: "x", School: "WES", Role: "student", Attributes: map[string]string{"grade": "4"}}, "on", TargetingMatch, 1},
		{"attribute value outside the list", Context{Tenant: "x", School: "WES", Role: "student", Attributes: map[string]string{"grade": "5"}}, "off", Default, -1},
		{"NotIn matches a missing attribute", Context{Tenant: "x", Role: "guardian"}, "on", TargetingMatch, 2},
		{"NotIn refuses a listed value", Context{Tenant: "x", Role: "guardian", Attributes: map[string]string{"beta": "no"}}, "off", Default, -1},
		{"tenant override beats rules", Context{Tenant: "adams", School: "ABC", Role: "student"}, "on", TargetingMatch, -1},
		{"tenant-scoped school override beats the tenant override", Context{Tenant: "adams", School: "AHS", Role: "teacher"}, "off", TargetingMatch, -1},
		{"school code override applies in every tenant", Context{Tenant: "lincoln", School: "OLD", Role: "teacher"}, "off", TargetingMatch, -1},
		{"a scoped school override stays in its tenant", Context{Tenant: "lincoln", School: "AHS", Role: "student"}, "off", Default, -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := f.Evaluate("f", tc.c)
			if e.Variant != tc.variant || e.Reason != tc.reason || e.Rule != tc.rule {
				t.Fatalf("got %s/%s/rule %d, want %s/%s/rule %d", e.Variant, e.Reason, e.Rule, tc.variant, tc.reason, tc.rule)
			}
		})
	}
}

func TestStaticFlagAndUnknownFlag(t *testing.T) {
	s := Set{"plain": onOff()}
	if e := s.Evaluate("plain", Context{}); e.Reason != Static || e.Variant != "off" {
		t.Fatalf("plain: %+v", e)
	}
	if e := s.Evaluate("missing", Context{}); e.Reason != Error || e.ErrorCode != FlagNotFound || e.Value != nil {
		t.Fatalf("missing: %+v", e)
	}
}

func TestTypedAccessors(t *testing.T) {
	s := Set{
		"b":    onOff(),
		"s":    {Variants: map[string]json.RawMessage{"a": raw(`"compact"`)}, DefaultVariant: "a"},
		"n":    {Variants: map[string]json.RawMessage{"a": raw(`2.5`)}, DefaultVariant: "a"},
		"o":    {Variants: map[string]json.RawMessage{"a": raw(`{"limit": 3}`)}, DefaultVariant: "a"},
		"null": {Variants: map[string]json.RawMessage{"a": raw(`null`)}, DefaultVariant: "a"},
	}
	if v, e := s.Bool("b", Context{}, true); v || e.Reason != Static {
		t.Fatalf("Bool: %v %+v", v, e)
	}
	if v, _ := s.String("s", Context{}, "x"); v != "compact" {
		t.Fatalf("String: %q", v)
	}
	if v, _ := s.Number("n", Context{}, 0); v != 2.5 {
		t.Fatalf("Number: %v", v)
	}
	var o struct{ Limit int }
	if ok, _ := s.Object("o", Context{}, &o); !ok || o.Limit != 3 {
		t.Fatalf("Object: %v %+v", ok, o)
	}
	for _, tc := range []struct {
		name string
		got  func() (any, Evaluation)
		def  any
	}{
		{"string read as bool", func() (any, Evaluation) { return s.Bool("s", Context{}, true) }, true},
		{"bool read as number", func() (any, Evaluation) { return s.Number("b", Context{}, 7) }, 7.0},
		{"null read as bool", func() (any, Evaluation) { return s.Bool("null", Context{}, true) }, true},
		{"number read as object", func() (any, Evaluation) { ok, e := s.Object("n", Context{}, &o); return ok, e }, false},
		{"missing flag", func() (any, Evaluation) { return s.String("nope", Context{}, "d") }, "d"},
	} {
		v, e := tc.got()
		if v != tc.def || e.Reason != Error {
			t.Errorf("%s: got %v (%s %s), want the default %v and an error", tc.name, v, e.Reason, e.ErrorCode, tc.def)
		}
	}
}

// A rollout without its key (no user) leaves the decision to later rules.
func TestRolloutWithoutKeyFallsThrough(t *testing.T) {
	f := onOff(Rule{Rollout: &Rollout{Variants: []Weighted{{"on", 100}, {"off", 0}}}})
	if e := f.Evaluate("f", Context{Tenant: "t"}); e.Variant != "off" || e.Reason != Default {
		t.Fatalf("anonymous: %+v", e)
	}
	if e := f.Evaluate("f", Context{Tenant: "t", UserID: "u"}); e.Variant != "on" || e.Reason != Split || e.Rule != 0 {
		t.Fatalf("user: %+v", e)
	}
}

func rolloutOf(on int, by string) Flag {
	return onOff(Rule{Rollout: &Rollout{BucketBy: by, Variants: []Weighted{{"on", on}, {"off", 100 - on}}}})
}

// Raising a percentage only adds users: everyone in at 10% is still in at 20%, 50%, 90%.
func TestBucketsAreStableAsThePercentageGrows(t *testing.T) {
	const users = 20000
	was := map[string]bool{}
	for _, pct := range []int{0, 1, 10, 20, 50, 90, 100} {
		f := rolloutOf(pct, "")
		in := 0
		for i := range users {
			id := fmt.Sprintf("user-%d", i)
			on := f.Evaluate("new-gradebook", Context{UserID: id}).Variant == "on"
			if was[id] && !on {
				t.Fatalf("%s had the feature below %d%% and lost it at %d%%", id, pct, pct)
			}
			was[id] = on
			if on {
				in++
			}
		}
		if pct == 0 && in != 0 || pct == 100 && in != users {
			t.Fatalf("%d%%: %d of %d users in", pct, in, users)
		}
	}
	// The same user gets the same answer every time.
	f := rolloutOf(50, "")
	first := f.Evaluate("x", Context{UserID: "steady"}).Variant
	for range 100 {
		if f.Evaluate("x", Context{UserID: "steady"}).Variant != first {
			t.Fatal("a user's variant changed between evaluations")
		}
	}
}

// Over 100,000 keys each variant's share is within one percentage point of its weight.
func TestDistributionMatchesWeights(t *testing.T) {
	const keys = 100000
	for _, weights := range [][3]int{{10, 30, 60}, {1, 1, 98}, {33, 33, 34}, {50, 0, 50}} {
		f := Flag{Variants: map[string]json.RawMessage{"a": raw("1"), "b": raw("2"), "c": raw("3")}, DefaultVariant: "a",
			Rules: []Rule{{Rollout: &Rollout{Variants: []Weighted{{"a", weights[0]}, {"b", weights[1]}, {"c", weights[2]}}}}}}
		count := map[string]int{}
		for i := range keys {
			count[f.Evaluate("dist", Context{UserID: fmt.Sprint(i)}).Variant]++
		}
		for i, v := range []string{"a", "b", "c"} {
			share := 100 * float64(count[v]) / keys
			if math.Abs(share-float64(weights[i])) > 1 {
				t.Errorf("weights %v: variant %s got %.2f%%, want %d%% ± 1", weights, v, share, weights[i])
			}
		}
	}
}

// Different flags bucket the same user independently, or every 10% rollout
// would hit the same 10% of users.
func TestFlagsBucketIndependently(t *testing.T) {
	both := 0
	for i := range 10000 {
		id := fmt.Sprint(i)
		if Bucket("one", id) < 1000 && Bucket("two", id) < 1000 {
			both++
		}
	}
	// Independent 10% samples overlap in about 1% of users (100 of 10,000).
	if both < 50 || both > 200 {
		t.Fatalf("%d of 10000 users are in both 10%% rollouts; want about 100", both)
	}
}

func TestBucketByOtherKeys(t *testing.T) {
	school := rolloutOf(50, "school")
	grade := rolloutOf(50, "attribute:grade")
	for i := range 50 {
		a := Context{Tenant: "t", School: "LHS", UserID: fmt.Sprint(i), Attributes: map[string]string{"grade": "9"}}
		b := Context{Tenant: "t", School: "LHS", UserID: fmt.Sprint(i + 1000), Attributes: map[string]string{"grade": "9"}}
		if school.Evaluate("f", a).Variant != school.Evaluate("f", b).Variant {
			t.Fatal("two users of one school landed in different school buckets")
		}
		if grade.Evaluate("f", a).Variant != grade.Evaluate("f", b).Variant {
			t.Fatal("two users of one grade landed in different grade buckets")
		}
	}
	if e := school.Evaluate("f", Context{Tenant: "t", UserID: "district-admin"}); e.Reason != Default {
		t.Fatalf("a user at no school cannot be bucketed by school: %+v", e)
	}
}

func TestValidateSaysWhatToFix(t *testing.T) {
	cases := []struct {
		name string
		f    Flag
		want []string
	}{
		{"valid", onOff(Rule{Roles: []string{"teacher"}, Variant: "on"}), nil},
		{"no variants", Flag{DefaultVariant: "on"}, []string{"no variants", `defaultVariant names variant "on", which is not one of the variants (there are none)`}},
		{"unknown default", Flag{Variants: map[string]json.RawMessage{"on": raw("true")}, DefaultVariant: "of"}, []string{`defaultVariant names variant "of", which is not one of the variants (on)`}},
		{"bad JSON", Flag{Variants: map[string]json.RawMessage{"on": raw("tru")}, DefaultVariant: "on"}, []string{`variant "on": its value is not valid JSON`}},
		{"unknown rule variant", onOff(Rule{Variant: "maybe"}), []string{`rule 1: variant "maybe" is not one of the variants (off, on)`}},
		{"both variant and rollout", onOff(Rule{Variant: "on", Rollout: &Rollout{Variants: []Weighted{{"on", 100}}}}), []string{"rule 1: set either variant or rollout, not both"}},
		{"neither", onOff(Rule{Roles: []string{"teacher"}}), []string{"rule 1: set a variant to serve or a rollout to split by"}},
		{"weights over 100", onOff(Rule{Rollout: &Rollout{Variants: []Weighted{{"on", 80}, {"off", 40}}}}), []string{"rule 1 rollout: weights add up to 120, not 100"}},
		{"weight out of range", onOff(Rule{Rollout: &Rollout{Variants: []Weighted{{"on", 150}, {"off", -50}}}}), []string{`variant "on" has weight 150`, `variant "off" has weight -50`}},
		{"unknown rollout variant", onOff(Rule{Rollout: &Rollout{Variants: []Weighted{{"on", 50}, {"maybe", 50}}}}), []string{`rule 1 rollout: variant "maybe" is not one of the variants`}},
		{"bad bucketBy", onOff(Rule{Rollout: &Rollout{BucketBy: "attribute:", Variants: []Weighted{{"on", 100}}}}), []string{`bucketBy "attribute:" is not user, school, tenant or attribute:<name>`}},
		{"bad role", onOff(Rule{Roles: []string{"principal"}, Variant: "on"}), []string{`rule 1: role "principal" is not one of district_admin, school_admin, teacher, student, guardian`}},
		{"bad attribute match", onOff(Rule{Attributes: []Match{{Attribute: "grade", Operator: "Equals"}}, Variant: "on"}), []string{`operator "Equals" is not In or NotIn`, `attribute "grade": list at least one value`}},
		{"bad overrides", Flag{Variants: map[string]json.RawMessage{"on": raw("true")}, DefaultVariant: "on",
			Overrides: Overrides{Tenants: map[string]string{"x": "nope"}, Schools: map[string]string{"a/b/c": "on"}}},
			[]string{`the override for tenant "x" names variant "nope"`, `school override key "a/b/c": use a school code (LHS) or tenant/code (lincoln-usd/LHS)`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.f.Validate()
			if tc.want == nil {
				if err != nil {
					t.Fatalf("valid flag refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("invalid flag accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// ForTenant keeps evaluation the same for that tenant's users and leaves out
// whatever names other tenants.
func TestForTenantEvaluatesAsTheFullFlag(t *testing.T) {
	f := onOff(
		Rule{Tenants: []string{"adams"}, Roles: []string{"teacher"}, Variant: "on"},
		Rule{Tenants: []string{"lincoln", "adams"}, Schools: []string{"LHS"}, Rollout: &Rollout{Variants: []Weighted{{"on", 30}, {"off", 70}}}},
		Rule{Roles: []string{"guardian"}, Variant: "on"},
	)
	f.Overrides = Overrides{Tenants: map[string]string{"clark": "on"}, Schools: map[string]string{"clark/CHS": "off", "adams/AHS": "on", "ANY": "on"}}
	schools := []string{"", "LHS", "AHS", "CHS", "ANY", "WES"}
	for _, tenant := range []string{"adams", "lincoln", "clark", "other"} {
		resolved := f.ForTenant(tenant)
		for _, r := range resolved.Rules {
			if len(r.Tenants) > 0 {
				t.Fatalf("%s: a published rule still names tenants: %+v", tenant, r)
			}
		}
		for k := range resolved.Overrides.Schools {
			if owner, _, scoped := strings.Cut(k, "/"); scoped && owner != tenant {
				t.Fatalf("%s: the published flag names another tenant's school %s", tenant, k)
			}
		}
		if len(resolved.Overrides.Tenants) > 0 {
			t.Fatalf("%s: tenant overrides published: %v", tenant, resolved.Overrides.Tenants)
		}
		for _, school := range schools {
			for _, role := range Roles {
				for u := range 40 {
					c := Context{Tenant: tenant, School: school, Role: role, UserID: fmt.Sprint(u)}
					want, got := f.Evaluate("f", c), resolved.Evaluate("f", c)
					if want.Variant != got.Variant {
						t.Fatalf("%+v: full flag gives %s, the published one %s", c, want.Variant, got.Variant)
					}
				}
			}
		}
	}
}

func TestMergeLetsTheTenantsOwnFlagWin(t *testing.T) {
	platform := Set{"a": onOff(), "b": onOff()}
	own := Set{"b": {Variants: map[string]json.RawMessage{"x": raw(`"mine"`)}, DefaultVariant: "x"}}
	got := Merge(platform, own)
	if len(got) != 2 || got["b"].DefaultVariant != "x" || got["a"].DefaultVariant != "off" {
		t.Fatalf("merge: %+v", got)
	}
	if platform["b"].DefaultVariant != "off" {
		t.Fatal("Merge changed its input")
	}
}

func TestHashChangesOnlyWithContent(t *testing.T) {
	a := Set{"f": {Variants: map[string]json.RawMessage{"on": raw(`{"a": 1,  "b": 2}`)}, DefaultVariant: "on"}}
	b := Set{"f": {Variants: map[string]json.RawMessage{"on": raw(`{"a":1,"b":2}`)}, DefaultVariant: "on"}}
	if Hash(a) != Hash(b) {
		t.Fatal("whitespace in a value changed the hash")
	}
	c := Set{"f": {Variants: map[string]json.RawMessage{"on": raw(`{"a":1,"b":3}`)}, DefaultVariant: "on"}}
	if Hash(a) == Hash(c) {
		t.Fatal("a changed value kept the hash")
	}
}

// The JSON form round-trips: it is what the directory entry carries.
func TestJSONRoundTrip(t *testing.T) {
	f := onOff(Rule{Schools: []string{"LHS"}, Rollout: &Rollout{BucketBy: "school", Variants: []Weighted{{"on", 25}, {"off", 75}}}})
	f.Overrides.Tenants = map[string]string{"t": "on"}
	b, err := json.Marshal(Set{"f": f})
	if err != nil {
		t.Fatal(err)
	}
	var back Set
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if Hash(back) != Hash(Set{"f": f}) {
		t.Fatalf("round trip changed the flag: %s", b)
	}
	if plain, _ := json.Marshal(onOff()); strings.Contains(string(plain), "overrides") {
		t.Fatalf("an empty overrides block is written: %s", plain)
	}
}

func BenchmarkEvaluate(b *testing.B) {
	s := Set{"f": onOff(
		Rule{Schools: []string{"WES"}, Variant: "on"},
		Rule{Roles: []string{"teacher"}, Rollout: &Rollout{Variants: []Weighted{{"on", 20}, {"off", 80}}}},
	)}
	c := Context{Tenant: "t", School: "LHS", Role: "teacher", UserID: "4b0f2c3e-8d1a-4c55-9f6e-0a1b2c3d4e5f"}
	for b.Loop() {
		s.Bool("f", c, false)
	}
}
