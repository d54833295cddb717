package builders

import (
	"encoding/json"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/pkg/flags"
)

// FlagOf is a FeatureFlag's spec in the evaluator's terms, before it is
// resolved for any tenant. Validate it: the API server's rules catch most
// mistakes, the evaluator's catch the rest (a variant listed twice in one
// rollout, say).
func FlagOf(spec *platformv1.FeatureFlagSpec) flags.Flag {
	f := flags.Flag{Variants: make(map[string]json.RawMessage, len(spec.Variants)), DefaultVariant: spec.DefaultVariant}
	for _, v := range spec.Variants {
		f.Variants[v.Name] = json.RawMessage(v.Value.Raw)
	}
	if o := spec.Overrides; o != nil {
		f.Overrides = flags.Overrides{Tenants: o.Tenants, Schools: o.Schools}
	}
	for _, r := range spec.Rules {
		rule := flags.Rule{Tenants: r.Tenants, Schools: r.Schools, Roles: r.Roles, Variant: r.Variant}
		for _, m := range r.Attributes {
			rule.Attributes = append(rule.Attributes, flags.Match{Attribute: m.Attribute, Operator: flags.Operator(m.Operator), Values: m.Values})
		}
		if len(r.Rollout) > 0 {
			rule.Rollout = &flags.Rollout{BucketBy: r.BucketBy}
			for _, w := range r.Rollout {
				rule.Rollout.Variants = append(rule.Rollout.Variants, flags.Weighted{Variant: w.Variant, Weight: int(w.Weight)})
			}
		}
		f.Rules = append(f.Rules, rule)
	}
	return f
}
