package features

import (
	"fmt"
	"slices"
	"strings"

	"bellwork.dev/bellwork/pkg/flags"
)

// Summary is what one flag does across a district, for its admins: who
// gets which variant in the district as a whole and at each school whose
// users get something else, and the targeting that decides it.
type Summary struct {
	Key string
	// District is what each role gets outside any school.
	District Outcome
	// Schools lists only the schools where the outcome differs from District.
	Schools []SchoolOutcome
	// Targeting describes the overrides and rules, in the order they apply.
	Targeting []string
	// Rollout is set when some users get their variant by percentage
	// bucket: the outcomes show what everyone outside the rollout gets.
	Rollout bool
}

// SchoolOutcome is a school's outcome.
type SchoolOutcome struct {
	Code, Name string
	Outcome    Outcome
}

// Outcome groups the roles by the variant they get, largest group first.
type Outcome []Group

// Group is a variant and the roles that get it.
type Group struct {
	Variant string
	Value   string // the variant's value as JSON
	Roles   []string
}

// Everyone reports whether every role gets the same variant.
func (o Outcome) Everyone() bool { return len(o) == 1 }

func (o Outcome) equal(p Outcome) bool {
	return slices.EqualFunc(o, p, func(a, b Group) bool { return a.Variant == b.Variant && slices.Equal(a.Roles, b.Roles) })
}

// School is a school to summarise a flag at.
type School struct{ Code, Name string }

// Summarize describes every flag of set for the district tenant and its
// schools. Percentage rollouts need a user, so outcomes are computed for
// no particular user: they show what users outside any rollout get.
func Summarize(tenant string, set flags.Set, schools []School) []Summary {
	var out []Summary
	for _, key := range New(set, flags.Context{}, nil).Keys() {
		f := set[key]
		s := Summary{Key: key, District: outcome(set, key, flags.Context{Tenant: tenant})}
		for _, sc := range schools {
			o := outcome(set, key, flags.Context{Tenant: tenant, School: sc.Code})
			if !o.equal(s.District) {
				s.Schools = append(s.Schools, SchoolOutcome{Code: sc.Code, Name: sc.Name, Outcome: o})
			}
		}
		s.Targeting, s.Rollout = describe(&f)
		out = append(out, s)
	}
	return out
}

func outcome(set flags.Set, key string, c flags.Context) Outcome {
	var o Outcome
	for _, role := range flags.Roles {
		c.Role = role
		e := set.Evaluate(key, c)
		i := slices.IndexFunc(o, func(g Group) bool { return g.Variant == e.Variant })
		if i < 0 {
			o = append(o, Group{Variant: e.Variant, Value: string(e.Value)})
			i = len(o) - 1
		}
		o[i].Roles = append(o[i].Roles, role)
	}
	slices.SortStableFunc(o, func(a, b Group) int { return len(b.Roles) - len(a.Roles) })
	return o
}

// describe puts a flag's overrides and rules into words.
func describe(f *flags.Flag) (lines []string, rollout bool) {
	for _, code := range sortedKeys(f.Overrides.Schools) {
		_, school, scoped := strings.Cut(code, "/")
		if !scoped {
			school = code
		}
		lines = append(lines, fmt.Sprintf("Everyone at %s gets %s", school, f.Overrides.Schools[code]))
	}
	for _, r := range f.Rules {
		who := "Everyone"
		if len(r.Roles) > 0 {
			who = "Every " + strings.Join(r.Roles, ", ")
		}
		if len(r.Schools) > 0 {
			who += " at " + strings.Join(r.Schools, ", ")
		}
		for _, m := range r.Attributes {
			op := "in"
			if m.Operator == flags.NotIn {
				op = "not in"
			}
			who += fmt.Sprintf(" with %s %s %s", m.Attribute, op, strings.Join(m.Values, ", "))
		}
		if r.Rollout == nil {
			lines = append(lines, fmt.Sprintf("%s gets %s", who, r.Variant))
			continue
		}
		rollout = true
		var parts []string
		for _, w := range r.Rollout.Variants {
			parts = append(parts, fmt.Sprintf("%d%% %s", w.Weight, w.Variant))
		}
		by := r.Rollout.BucketBy
		if by == "" {
			by = "user"
		}
		lines = append(lines, fmt.Sprintf("%s: %s, by %s", who, strings.Join(parts, " / "), by))
	}
	lines = append(lines, "Anyone else gets "+f.DefaultVariant)
	return lines, rollout
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
