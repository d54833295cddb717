package flags

import (
	"encoding/json"
	"slices"
)

// Flag is one feature flag: its variants and who gets which. Its JSON form
// is what the directory entry carries.
type Flag struct {
	// Variants are the values the flag can take, by variant name.
	Variants map[string]json.RawMessage `json:"variants"`
	// DefaultVariant is served when no override or rule applies.
	DefaultVariant string `json:"defaultVariant"`
	// Overrides give whole tenants or schools one variant.
	Overrides Overrides `json:"overrides,omitzero"`
	// Rules are tried in order; the first that matches decides.
	Rules []Rule `json:"rules,omitempty"`
}

// Overrides map a tenant name, or a school code, to a variant. A school key
// is a school code ("LHS"), which applies in every tenant the flag reaches,
// or "tenant/code" ("lincoln-usd/LHS"), which applies in that tenant only.
type Overrides struct {
	Tenants map[string]string `json:"tenants,omitempty"`
	Schools map[string]string `json:"schools,omitempty"`
}

// Rule selects a part of the users and gives them a variant, or splits them
// between variants. Empty selectors match everyone.
type Rule struct {
	Tenants    []string `json:"tenants,omitempty"`
	Schools    []string `json:"schools,omitempty"`
	Roles      []string `json:"roles,omitempty"`
	Attributes []Match  `json:"attributes,omitempty"`
	// Variant is served to everyone the rule matches; or else
	Variant string `json:"variant,omitempty"`
	// Rollout splits them by stable buckets.
	Rollout *Rollout `json:"rollout,omitempty"`
}

// Match tests one user attribute.
type Match struct {
	Attribute string   `json:"attribute"`
	Operator  Operator `json:"operator"`
	Values    []string `json:"values"`
}

// Operator compares an attribute with a list of values.
type Operator string

// Operators.
const (
	// In matches when the attribute equals one of the values.
	In Operator = "In"
	// NotIn matches when the attribute is absent or equals none of the values.
	NotIn Operator = "NotIn"
)

// Rollout splits users between variants by weight, in percent.
type Rollout struct {
	// BucketBy is what a bucket is computed from: "user" (the default),
	// "school", "tenant", or "attribute:<name>" for a user attribute. Users
	// sharing the value land in the same bucket.
	BucketBy string     `json:"bucketBy,omitempty"`
	Variants []Weighted `json:"variants"`
}

// Weighted is a variant and its share of a rollout.
type Weighted struct {
	Variant string `json:"variant"`
	Weight  int    `json:"weight"`
}

// Roles a rule may name: the LMS's user roles.
var Roles = []string{"district_admin", "school_admin", "teacher", "student", "guardian"}

// Context is who a flag is evaluated for.
type Context struct {
	Tenant string
	// School is the code of the school the user acts at ("" for district roles).
	School string
	Role   string
	// UserID is the targeting key: what "user" buckets hash.
	UserID     string
	Attributes map[string]string
}

// matches says whether the rule's selectors all hold for c.
func (r *Rule) matches(c Context) bool {
	if len(r.Tenants) > 0 && !slices.Contains(r.Tenants, c.Tenant) {
		return false
	}
	if len(r.Schools) > 0 && !slices.Contains(r.Schools, c.School) {
		return false
	}
	if len(r.Roles) > 0 && !slices.Contains(r.Roles, c.Role) {
		return false
	}
	for _, m := range r.Attributes {
		v, ok := c.Attributes[m.Attribute]
		in := ok && slices.Contains(m.Values, v)
		if (m.Operator == In) != in {
			return false
		}
	}
	return true
}
