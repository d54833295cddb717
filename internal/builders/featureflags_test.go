package builders

import (
	"os"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/pkg/flags"
)

// The sample flag means what its comments say once in the evaluator's terms.
func TestFlagOfTheSample(t *testing.T) {
	b, err := os.ReadFile("../../config/samples/50_featureflag.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var ff platformv1.FeatureFlag
	if err := yaml.Unmarshal(b, &ff); err != nil {
		t.Fatal(err)
	}
	f := FlagOf(&ff.Spec)
	if err := f.Validate(); err != nil {
		t.Fatalf("the sample flag does not validate: %v", err)
	}
	pilot := flags.Context{Tenant: "lincoln-usd", School: "LHS-042", Role: "teacher", UserID: "u-1"}
	if e := f.Evaluate(ff.Name, pilot); e.Variant != "on" || e.Reason != flags.TargetingMatch {
		t.Fatalf("a Lincoln High teacher: %+v", e)
	}
	elsewhere := flags.Context{Tenant: "lincoln-usd", School: "WES-007", Role: "teacher", UserID: "u-2"}
	if e := f.Evaluate(ff.Name, elsewhere); e.Variant != "off" {
		t.Fatalf("a teacher at another school of the district: %+v", e)
	}
	if e := f.Evaluate(ff.Name, flags.Context{Tenant: "other", School: "LHS-042", Role: "teacher", UserID: "u-3"}); e.Variant != "off" {
		t.Fatalf("another district's school with the same code: %+v", e)
	}
}

// Every field of the spec reaches the evaluator.
func TestFlagOfCarriesEveryField(t *testing.T) {
	const spec = `
description: d
variants: [{name: a, value: {"x": 1}}, {name: b, value: "two"}]
defaultVariant: a
overrides: {tenants: {t1: b}, schools: {"t2/S": b}}
rules:
  - tenants: [t3]
    schools: [S]
    roles: [teacher]
    attributes: [{attribute: grade, operator: NotIn, values: ["12"]}]
    variant: b
  - rollout: [{variant: a, weight: 40}, {variant: b, weight: 60}]
    bucketBy: school
`
	var s platformv1.FeatureFlagSpec
	if err := yaml.Unmarshal([]byte(spec), &s); err != nil {
		t.Fatal(err)
	}
	f := FlagOf(&s)
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	if string(f.Variants["a"]) != `{"x":1}` || string(f.Variants["b"]) != `"two"` || f.DefaultVariant != "a" {
		t.Fatalf("variants: %s", f.Variants)
	}
	if f.Overrides.Tenants["t1"] != "b" || f.Overrides.Schools["t2/S"] != "b" {
		t.Fatalf("overrides: %+v", f.Overrides)
	}
	r := f.Rules[0]
	if r.Tenants[0] != "t3" || r.Schools[0] != "S" || r.Roles[0] != "teacher" || r.Variant != "b" ||
		r.Attributes[0].Attribute != "grade" || r.Attributes[0].Operator != flags.NotIn || r.Attributes[0].Values[0] != "12" {
		t.Fatalf("rule 1: %+v", r)
	}
	ro := f.Rules[1].Rollout
	if ro == nil || ro.BucketBy != "school" || ro.Variants[0] != (flags.Weighted{Variant: "a", Weight: 40}) || ro.Variants[1] != (flags.Weighted{Variant: "b", Weight: 60}) {
		t.Fatalf("rule 2: %+v", f.Rules[1])
	}
}

func featureFlag(ns, name, yamlSpec string) platformv1.FeatureFlag {
	ff := platformv1.FeatureFlag{}
	ff.Namespace, ff.Name = ns, name
	if err := yaml.Unmarshal([]byte(yamlSpec), &ff.Spec); err != nil {
		panic(err)
	}
	return ff
}

const onOffSpec = `
description: d
variants: [{name: "on", value: true}, {name: "off", value: false}]
defaultVariant: "off"
`

// A platform flag reaches every tenant; a tenant's own flag of the same name
// replaces it for that tenant only; a broken flag never breaks the entry.
func TestTenantFlags(t *testing.T) {
	platform := []platformv1.FeatureFlag{
		featureFlag("bellwork-system", "gradebook-v2", onOffSpec+`rules: [{tenants: [adams], variant: "on"}, {tenants: [clark], schools: [CHS], variant: "on"}]`),
		featureFlag("bellwork-system", "health-page", onOffSpec),
		// Two weights of one variant: the API server cannot see it, Validate can.
		featureFlag("bellwork-system", "half-broken", onOffSpec+`rules: [{rollout: [{variant: "on", weight: 50}, {variant: "on", weight: 50}]}]`),
		featureFlag("bellwork-system", "all-broken", `{description: d, variants: [{name: "on", value: true}], defaultVariant: "gone"}`),
	}
	own := []platformv1.FeatureFlag{featureFlag("tenant-clark", "health-page", onOffSpec+`overrides: {schools: {CHS: "on"}}`)}

	adams, verdicts := TenantFlags("adams", platform, nil)
	if e := adams.Evaluate("gradebook-v2", flags.Context{Tenant: "adams", Role: "teacher"}); e.Variant != "on" {
		t.Fatalf("adams gradebook-v2: %+v", e)
	}
	if r := adams["gradebook-v2"].Rules; len(r) != 1 || len(r[0].Tenants) != 0 {
		t.Fatalf("adams's entry keeps only its own rule, without tenant names: %+v", r)
	}
	if v := verdicts["bellwork-system/half-broken"]; !v.Published || !strings.Contains(v.Problem, "published with its default variant only") {
		t.Fatalf("half-broken: %+v", v)
	}
	if f := adams["half-broken"]; len(f.Rules) != 0 || f.DefaultVariant != "off" {
		t.Fatalf("half-broken is published as its default: %+v", f)
	}
	if _, ok := adams["all-broken"]; ok || verdicts["bellwork-system/all-broken"].Published ||
		!strings.Contains(verdicts["bellwork-system/all-broken"].Problem, "left out") {
		t.Fatalf("all-broken: %+v", verdicts["bellwork-system/all-broken"])
	}

	clark, verdicts := TenantFlags("clark", platform, own)
	if e := clark.Evaluate("health-page", flags.Context{Tenant: "clark", School: "CHS", Role: "teacher"}); e.Variant != "on" {
		t.Fatalf("clark's own health-page: %+v", e)
	}
	if v := verdicts["bellwork-system/health-page"]; v.Published || !strings.Contains(v.Problem, "replaced by the tenant's own flag") {
		t.Fatalf("the platform health-page for clark: %+v", v)
	}
	if e := clark.Evaluate("gradebook-v2", flags.Context{Tenant: "clark", School: "CHS", Role: "student"}); e.Variant != "on" {
		t.Fatalf("clark gradebook-v2 at CHS: %+v", e)
	}
	if len(clark["gradebook-v2"].Rules) != 1 {
		t.Fatalf("clark's entry keeps only the CHS rule: %+v", clark["gradebook-v2"].Rules)
	}
}
