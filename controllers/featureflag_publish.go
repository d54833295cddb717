package controllers

import (
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/pkg/directory"
	"bellwork.dev/bellwork/pkg/flags"
)

// listedTenants bounds the tenant names status lists; the counts are whole.
const listedTenants = 20

// checkPublished finds the tenants the flag reaches and reads their
// directory entries for the version of the flag each should carry.
func (r *FeatureFlagReconciler) checkPublished(ctx context.Context, p *flagPass) error {
	affected, err := r.affectedTenants(ctx, p.flag)
	if err != nil {
		return err
	}
	st := &p.status
	st.AffectedTenantCount, st.AffectedTenants = int32(len(affected)), first(affected)
	if !p.verdict.Published {
		st.PendingTenantCount, st.PendingTenants, st.PublishedHash, st.PublishedTime = 0, nil, "", nil
		p.Condition(platformv1.FlagPublished, false, platformv1.ReasonInvalidFlag, "Not published: the flag is not valid")
		return nil
	}
	name := p.flag.Name
	if hash := flags.Hash(flags.Set{name: p.usable}); st.PublishedHash != hash {
		st.PublishedHash, st.PublishedTime = hash, nil
	}
	var pending []string
	for _, tenant := range affected {
		want := p.usable.ForTenant(tenant)
		carried, err := r.carried(ctx, tenant, name)
		if err != nil {
			return err
		}
		if carried == nil || flags.Hash(flags.Set{name: *carried}) != flags.Hash(flags.Set{name: want}) {
			pending = append(pending, tenant)
		}
	}
	st.PendingTenantCount, st.PendingTenants = int32(len(pending)), first(pending)
	switch {
	case len(affected) == 0:
		p.Condition(platformv1.FlagPublished, false, platformv1.ReasonNoTenants, "%s", r.noTenantsMessage(p.flag))
	case len(pending) > 0:
		// The Tenant controller publishes within seconds; a tenant that is
		// not Ready has no entry until it is.
		p.Condition(platformv1.FlagPublished, false, platformv1.ReasonAwaitingEntry,
			"%d of %d tenants' directory entries do not carry this version yet: %s", len(pending), len(affected), names(pending))
		p.WakeIn(r.Options.PendingInterval)
	default:
		if st.PublishedTime == nil {
			st.PublishedTime = &metav1.Time{Time: p.Now}
		}
		p.Condition(platformv1.FlagPublished, true, platformv1.ReasonReconciled,
			"In the directory entries of %d tenants (%s)", len(affected), names(affected))
	}
	return nil
}

// affectedTenants are the tenants whose entries should carry the flag,
// sorted: every tenant for a flag in the operator's namespace but those with
// a flag of their own by that name, or the tenant of the flag's namespace.
func (r *FeatureFlagReconciler) affectedTenants(ctx context.Context, ff *platformv1.FeatureFlag) ([]string, error) {
	if ff.Namespace != r.Platform.OperatorNamespace {
		tenant, ok := strings.CutPrefix(ff.Namespace, platformv1.TenantNamespacePrefix)
		if !ok {
			return nil, nil
		}
		t := &platformv1.Tenant{}
		if err := r.Client.Get(ctx, client.ObjectKey{Name: tenant}, t); err != nil {
			return nil, client.IgnoreNotFound(err)
		}
		return []string{tenant}, nil
	}
	var tenants platformv1.TenantList
	if err := r.Client.List(ctx, &tenants); err != nil {
		return nil, err
	}
	var out []string
	for _, t := range tenants.Items {
		if !t.DeletionTimestamp.IsZero() {
			continue
		}
		own := &platformv1.FeatureFlag{}
		err := r.Client.Get(ctx, client.ObjectKey{Namespace: t.NamespaceName(), Name: ff.Name}, own)
		if err == nil && own.DeletionTimestamp.IsZero() {
			if _, v := builders.UsableFlag(own); v.Published {
				continue // the tenant's own flag replaces this one
			}
		} else if err != nil && !apierrors.IsNotFound(err) {
			return nil, err
		}
		out = append(out, t.Name)
	}
	slices.Sort(out)
	return out, nil
}

// carried is the flag as tenant's published entry carries it; nil when the
// tenant has no entry or the entry lacks the flag.
func (r *FeatureFlagReconciler) carried(ctx context.Context, tenant, name string) (*flags.Flag, error) {
	sec := &corev1.Secret{}
	err := r.Client.Get(ctx, client.ObjectKey{Namespace: r.Platform.LMSNamespace, Name: directory.SecretName(tenant)}, sec)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	entry, err := directory.Unmarshal(sec.Data[directory.EntryKey])
	if err != nil {
		return nil, nil // the School and Tenant controllers report a broken entry
	}
	f, ok := entry.Features[name]
	if !ok {
		return nil, nil
	}
	return &f, nil
}

func (r *FeatureFlagReconciler) noTenantsMessage(ff *platformv1.FeatureFlag) string {
	if ff.Namespace == r.Platform.OperatorNamespace {
		return "No tenant gets this flag: there are no Tenants, or each has its own flag of this name"
	}
	if strings.HasPrefix(ff.Namespace, platformv1.TenantNamespacePrefix) {
		return fmt.Sprintf("Tenant %s does not exist", strings.TrimPrefix(ff.Namespace, platformv1.TenantNamespacePrefix))
	}
	return fmt.Sprintf("A FeatureFlag applies from the operator's namespace %s (every tenant) or a tenant's namespace (that tenant); %s is neither",
		r.Platform.OperatorNamespace, ff.Namespace)
}

func first(names []string) []string {
	if len(names) > listedTenants {
		return slices.Clone(names[:listedTenants])
	}
	return slices.Clone(names)
}

// names lists a few tenant names for a message.
func names(list []string) string {
	const shown = 5
	if len(list) <= shown {
		return strings.Join(list, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(list[:shown], ", "), len(list)-shown)
}
