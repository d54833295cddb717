package flags

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"
	"strings"
)

// Merge is the set of flags a tenant gets: every platform-wide flag, except
// that a flag of the tenant's own with the same name replaces the platform's
// entirely (the tenant's namespace wins). Neither input is changed.
func Merge(platform, own Set) Set {
	out := make(Set, len(platform)+len(own))
	maps.Copy(out, platform)
	maps.Copy(out, own)
	return out
}

// ForTenant is the flag as published for tenant: everything that depends on
// the tenant decided, everything that depends on the school, role or user
// kept. Evaluating the result for a context of that tenant gives exactly what
// evaluating f does; other tenants' overrides and rules are left out, so
// one district's entry never names another district.
func (f *Flag) ForTenant(tenant string) Flag {
	out := Flag{Variants: f.Variants, DefaultVariant: f.DefaultVariant}
	for key, v := range f.Overrides.Schools {
		t, code, scoped := strings.Cut(key, "/")
		switch {
		case !scoped:
			out.Overrides.Schools = setKey(out.Overrides.Schools, key, v)
		case t == tenant:
			out.Overrides.Schools = setKey(out.Overrides.Schools, t+"/"+code, v)
		}
	}
	if v, ok := f.Overrides.Tenants[tenant]; ok {
		// The tenant override decides for everyone but overridden schools.
		out.DefaultVariant = v
		return out
	}
	for _, r := range f.Rules {
		if len(r.Tenants) > 0 && !slices.Contains(r.Tenants, tenant) {
			continue
		}
		r.Tenants = nil
		out.Rules = append(out.Rules, r)
	}
	return out
}

// Hash is a digest of a flag set as published: equal sets hash equally, so
// the operator republishes only when it changes.
func Hash(s Set) string {
	// encoding/json writes map keys sorted, so equal sets encode equally.
	b, err := json.Marshal(s)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

func setKey(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}
