package builders

import (
	"os"
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
	student := flags.Context{Tenant: "lincoln-usd", School: "LHS-042", Role: "student", UserID: "u-2"}
	if e := f.Evaluate(ff.Name, student); e.Variant != "off" {
		t.Fatalf("a student: %+v", e)
	}
	if e := f.Evaluate(ff.Name, flags.Context{Tenant: "other", Role: "teacher", UserID: "u-3"}); e.Variant != "off" {
		t.Fatalf("another district's teacher: %+v", e)
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
