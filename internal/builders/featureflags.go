package builders

import (
	"encoding/json"
	"slices"
	"strings"

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

// FlagVerdict is what became of one FeatureFlag for one tenant.
type FlagVerdict struct {
	// Problem says why the flag was published with its default only, or
	// left out; empty when it was published as written.
	Problem string
	// Published is false when the flag is not in the tenant's entry at all.
	Published bool
}

// TenantFlags are the flags a tenant's directory entry carries: the
// platform-wide ones (FeatureFlags in the operator's namespace) and the
// tenant's own (in its namespace), where an own flag replaces a platform
// flag of the same name, each resolved for the tenant. A flag that does not
// validate never breaks the tenant: it is published with its default
// variant only when that is sound, and left out otherwise; the verdicts,
// keyed by "namespace/name", say why.
func TenantFlags(tenant string, platform, own []platformv1.FeatureFlag) (flags.Set, map[string]FlagVerdict) {
	verdicts := map[string]FlagVerdict{}
	usable := func(list []platformv1.FeatureFlag) flags.Set {
		out := flags.Set{}
		for i := range list {
			ff := &list[i]
			if !ff.DeletionTimestamp.IsZero() {
				continue
			}
			f, v := UsableFlag(ff)
			verdicts[ff.Namespace+"/"+ff.Name] = v
			if v.Published {
				out[ff.Name] = f
			}
		}
		return out
	}
	merged := flags.Merge(usable(platform), usable(own))
	for i := range platform {
		if _, shadowed := merged[platform[i].Name]; shadowed && slices.ContainsFunc(own, func(o platformv1.FeatureFlag) bool {
			return o.Name == platform[i].Name && verdicts[o.Namespace+"/"+o.Name].Published
		}) {
			key := platform[i].Namespace + "/" + platform[i].Name
			verdicts[key] = FlagVerdict{Problem: "replaced by the tenant's own flag of the same name"}
		}
	}
	out := make(flags.Set, len(merged))
	for name, f := range merged {
		out[name] = f.ForTenant(tenant)
	}
	return out, verdicts
}

// UsableFlag is the flag as it can be published, and the verdict on it:
// as written when it validates, its default variant alone when only that is
// sound, nothing (Published false) otherwise.
func UsableFlag(ff *platformv1.FeatureFlag) (flags.Flag, FlagVerdict) {
	f := FlagOf(&ff.Spec)
	err := f.Validate()
	if err == nil {
		return f, FlagVerdict{Published: true}
	}
	fallback := flags.Flag{Variants: f.Variants, DefaultVariant: f.DefaultVariant}
	if fallback.Validate() != nil {
		return flags.Flag{}, FlagVerdict{Problem: "left out: " + oneLine(err)}
	}
	return fallback, FlagVerdict{Published: true, Problem: "published with its default variant only: " + oneLine(err)}
}

// oneLine joins a multi-line error (errors.Join) for a condition message.
func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}
