package controllers

import (
	"context"

	cnpgv1 "github.com/cloudnative-pg/api/pkg/api/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/reconcile"
)

// reconcilePooler keeps the tenant's PgBouncer Pooler (transaction mode)
// when one is wanted, removes it otherwise, and waits until it is active:
// the directory sends the LMS's requests through it.
func (r *TenantReconciler) reconcilePooler(ctx context.Context, p *tenantPass) error {
	want := builders.BuildPooler(p.tenant, p.top)
	if want == nil {
		if p.top.Provider == builders.ProviderExternal {
			return nil
		}
		key := types.NamespacedName{Namespace: p.top.Cluster.Namespace, Name: builders.PoolerName(p.tenant)}
		if err := reconcile.EnsureOrRemove[*cnpgv1.Pooler](ctx, p.objects, nil, key, p.ownedByTenant, nil); err != nil {
			return p.Fail(platformv1.TenantDatabaseReady, platformv1.ReasonProvisioningFailed, err, "%v", err)
		}
		return nil
	}
	have, _, err := reconcile.Ensure(ctx, p.objects, want, func(have, want *cnpgv1.Pooler) {
		have.Spec.Type = want.Spec.Type
		have.Spec.Instances = want.Spec.Instances
		if have.Spec.PgBouncer == nil {
			have.Spec.PgBouncer = &cnpgv1.PgBouncerSpec{}
		}
		have.Spec.PgBouncer.PoolMode = want.Spec.PgBouncer.PoolMode
		have.Spec.PgBouncer.Parameters = want.Spec.PgBouncer.Parameters
	})
	if err != nil {
		return p.Fail(platformv1.TenantDatabaseReady, platformv1.ReasonProvisioningFailed, err, "%v", err)
	}
	active := have.Status.Phase == cnpgv1.PoolerPhaseActive ||
		(have.Status.Phase == "" && have.Status.Instances >= ptr.Deref(have.Spec.Instances, 1))
	if !active {
		reason := have.Status.PhaseReason
		if reason == "" {
			reason = "not active yet"
		}
		return p.Fail(platformv1.TenantDatabaseReady, platformv1.ReasonPoolerNotReady, nil,
			"Pooler %s/%s: %s", have.Namespace, have.Name, reason)
	}
	return nil
}
