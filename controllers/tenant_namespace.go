package controllers

import (
	"context"
	"sync"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/types"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/reconcile"
)

// reconcileNamespace makes the tenant namespace (adopting one that exists)
// with its quota, limit range, network policies and owners' RoleBinding.
func (r *TenantReconciler) reconcileNamespace(ctx context.Context, p *tenantPass) error {
	t, o := p.tenant, p.objects
	fail := func(err error) error {
		return p.Fail(platformv1.TenantNamespaceReady, platformv1.ReasonProvisioningFailed, err, "%v", err)
	}
	ns, _, err := reconcile.Ensure(ctx, o, builders.BuildNamespace(t), nil)
	if err != nil {
		return fail(err)
	}
	if ns.Status.Phase == corev1.NamespaceTerminating {
		return p.Fail(platformv1.TenantNamespaceReady, platformv1.ReasonNamespaceTerminating, nil,
			"Namespace %s is being deleted; it is recreated once it is gone", ns.Name)
	}
	if _, _, err := reconcile.Ensure(ctx, o, builders.BuildTenantOwnerClusterRole(), func(have, want *rbacv1.ClusterRole) {
		have.Rules = want.Rules
	}); err != nil {
		return fail(err)
	}
	top := p.top
	steps := []func() error{
		func() error {
			return reconcile.EnsureOrRemove(ctx, o, builders.BuildResourceQuota(t), inNamespace(t, builders.ResourceQuotaName), p.ownedByTenant, func(have, want *corev1.ResourceQuota) {
				have.Spec.Hard = want.Spec.Hard
			})
		},
		func() error {
			return reconcile.EnsureOrRemove(ctx, o, builders.BuildLimitRange(t), inNamespace(t, builders.LimitRangeName), p.ownedByTenant, func(have, want *corev1.LimitRange) {
				have.Spec = want.Spec
			})
		},
		func() error {
			return reconcile.EnsureOrRemove(ctx, o, builders.BuildDefaultDenyPolicy(t), inNamespace(t, builders.DefaultDenyPolicyName), p.ownedByTenant, syncPolicy)
		},
		func() error {
			return reconcile.EnsureOrRemove(ctx, o, builders.BuildAllowPolicy(t, r.Platform.LMSNamespace, top), inNamespace(t, builders.AllowPolicyName), p.ownedByTenant, syncPolicy)
		},
		func() error {
			return reconcile.EnsureOrRemove(ctx, o, builders.BuildPostgresPolicy(t, top, r.Platform.LMSNamespace, r.Platform.OperatorNamespace), inNamespace(t, builders.PostgresPolicyName), p.ownedByTenant, syncPolicy)
		},
		func() error {
			return reconcile.EnsureOrRemove(ctx, o, builders.BuildOwnersRoleBinding(t), inNamespace(t, builders.OwnersRoleBindingName), p.ownedByTenant, func(have, want *rbacv1.RoleBinding) {
				have.Subjects = want.Subjects
			})
		},
	}
	// The objects are independent of each other: write them at once, so a
	// pass waits for one round of API writes, not six in a row.
	errs := make([]error, len(steps))
	var wg sync.WaitGroup
	for i, step := range steps {
		wg.Go(func() { errs[i] = step() })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return fail(err)
		}
	}
	p.Condition(platformv1.TenantNamespaceReady, true, platformv1.ReasonReconciled,
		"Namespace %s has its quota, limits, network policies and owners' access", ns.Name)
	return nil
}

// inNamespace names an object in the tenant namespace.
func inNamespace(t *platformv1.Tenant, name string) types.NamespacedName {
	return types.NamespacedName{Namespace: t.NamespaceName(), Name: name}
}

func syncPolicy(have, want *networkingv1.NetworkPolicy) { have.Spec = want.Spec }
