package flags

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Validate lists everything wrong with the flag, each problem saying what to
// fix, or returns nil. The operator refuses such a flag at admission and
// never publishes it.
func (f *Flag) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	known := func(where, v string) {
		if _, ok := f.Variants[v]; !ok {
			bad("%s names variant %q, which is not one of the variants (%s)", where, v, f.variantNames())
		}
	}
	if len(f.Variants) == 0 {
		bad("the flag has no variants: list at least one, for example on: true and off: false")
	}
	for _, name := range sortedKeys(f.Variants) {
		if !json.Valid(f.Variants[name]) {
			bad("variant %q: its value is not valid JSON", name)
		}
	}
	if f.DefaultVariant == "" {
		bad("defaultVariant is empty: name the variant served when nothing else applies")
	} else {
		known("defaultVariant", f.DefaultVariant)
	}
	for _, t := range sortedKeys(f.Overrides.Tenants) {
		known(fmt.Sprintf("the override for tenant %q", t), f.Overrides.Tenants[t])
	}
	for _, s := range sortedKeys(f.Overrides.Schools) {
		if tenant, code, scoped := strings.Cut(s, "/"); scoped && (tenant == "" || code == "" || strings.Contains(code, "/")) {
			bad("school override key %q: use a school code (LHS) or tenant/code (lincoln-usd/LHS)", s)
		}
		known(fmt.Sprintf("the override for school %q", s), f.Overrides.Schools[s])
	}
	for i := range f.Rules {
		errs = append(errs, f.validateRule(i)...)
	}
	return errors.Join(errs...)
}

func (f *Flag) validateRule(i int) []error {
	r := &f.Rules[i]
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("rule %d: "+format, append([]any{i + 1}, args...)...))
	}
	for _, role := range r.Roles {
		if !slices.Contains(Roles, role) {
			bad("role %q is not one of %s", role, strings.Join(Roles, ", "))
		}
	}
	for _, m := range r.Attributes {
		if m.Attribute == "" {
			bad("an attribute match names no attribute")
		}
		if m.Operator != In && m.Operator != NotIn {
			bad("attribute %q: operator %q is not In or NotIn", m.Attribute, m.Operator)
		}
		if len(m.Values) == 0 {
			bad("attribute %q: list at least one value", m.Attribute)
		}
	}
	switch {
	case r.Variant != "" && r.Rollout != nil:
		bad("set either variant or rollout, not both")
	case r.Variant == "" && r.Rollout == nil:
		bad("set a variant to serve or a rollout to split by")
	case r.Variant != "":
		if _, ok := f.Variants[r.Variant]; !ok {
			bad("variant %q is not one of the variants (%s)", r.Variant, f.variantNames())
		}
	default:
		errs = append(errs, f.validateRollout(i, r.Rollout)...)
	}
	return errs
}

func (f *Flag) validateRollout(i int, ro *Rollout) []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("rule %d rollout: "+format, append([]any{i + 1}, args...)...))
	}
	switch by := ro.BucketBy; {
	case by == "", by == "user", by == "school", by == "tenant":
	case strings.HasPrefix(by, attributePrefix) && len(by) > len(attributePrefix):
	default:
		bad("bucketBy %q is not user, school, tenant or attribute:<name>", by)
	}
	if len(ro.Variants) == 0 {
		bad("list the variants to split between, with weights adding up to 100")
	}
	total, seen := 0, map[string]bool{}
	for _, w := range ro.Variants {
		if _, ok := f.Variants[w.Variant]; !ok {
			bad("variant %q is not one of the variants (%s)", w.Variant, f.variantNames())
		}
		if seen[w.Variant] {
			bad("variant %q is listed twice", w.Variant)
		}
		seen[w.Variant] = true
		if w.Weight < 0 || w.Weight > 100 {
			bad("variant %q has weight %d: weights are percentages from 0 to 100", w.Variant, w.Weight)
		}
		total += w.Weight
	}
	if len(ro.Variants) > 0 && total != 100 {
		bad("weights add up to %d, not 100", total)
	}
	return errs
}

func (f *Flag) variantNames() string {
	if len(f.Variants) == 0 {
		return "there are none"
	}
	return strings.Join(sortedKeys(f.Variants), ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
