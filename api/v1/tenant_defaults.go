package v1

import "strings"

// TenantNamespacePrefix starts the name of every tenant namespace.
const TenantNamespacePrefix = "tenant-"

// NamespaceName is the tenant namespace, "tenant-<name>".
func (t *Tenant) NamespaceName() string {
	return TenantNamespacePrefix + t.Name
}

// DatabaseName is spec.database.name, or "bw_<name>" with dashes made
// underscores when it is not set.
func (t *Tenant) DatabaseName() string {
	if t.Spec.Database.Name != "" {
		return t.Spec.Database.Name
	}
	return "bw_" + strings.ReplaceAll(t.Name, "-", "_")
}

// EffectiveReclaimPolicy is spec.reclaimPolicy, Retain when unset.
func (t *Tenant) EffectiveReclaimPolicy() ReclaimPolicy {
	if t.Spec.ReclaimPolicy == "" {
		return ReclaimRetain
	}
	return t.Spec.ReclaimPolicy
}
