package controllers

import (
	"context"
	"reflect"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
)

// objects writes a pass's child objects; each write joins the pass's
// summary Event.
func (r *TenantReconciler) objects(p *tenantPass) objects {
	return objects{Client: r.Client, reader: r.APIReader, changed: p.noteChange}
}

// reconcileNamespace makes the tenant namespace (adopting one that exists)
// with its quota, limit range, network policies and owners' RoleBinding.
func (r *TenantReconciler) reconcileNamespace(ctx context.Context, p *tenantPass) error {
	t, o := p.tenant, r.objects(p)
	fail := func(err error) error {
		return p.fail(platformv1.TenantNamespaceReady, platformv1.ReasonProvisioningFailed, err, "%v", err)
	}
	ns, _, err := ensure(ctx, o, builders.BuildNamespace(t), func(have, want *corev1.Namespace) {})
	if err != nil {
		return fail(err)
	}
	if ns.Status.Phase == corev1.NamespaceTerminating {
		return p.fail(platformv1.TenantNamespaceReady, platformv1.ReasonNamespaceTerminating, nil,
			"Namespace %s is being deleted; it is recreated once it is gone", ns.Name)
	}
	if _, _, err := ensure(ctx, o, builders.BuildTenantOwnerClusterRole(), func(have, want *rbacv1.ClusterRole) {
		have.Rules = want.Rules
	}); err != nil {
		return fail(err)
	}
	top := p.top
	steps := []func() error{
		func() error {
			return ensureOrRemove(ctx, o, t, builders.BuildResourceQuota(t), inNamespace(t, builders.ResourceQuotaName), func(have, want *corev1.ResourceQuota) {
				have.Spec.Hard = want.Spec.Hard
			})
		},
		func() error {
			return ensureOrRemove(ctx, o, t, builders.BuildLimitRange(t), inNamespace(t, builders.LimitRangeName), func(have, want *corev1.LimitRange) {
				have.Spec = want.Spec
			})
		},
		func() error {
			return ensureOrRemove(ctx, o, t, builders.BuildDefaultDenyPolicy(t), inNamespace(t, builders.DefaultDenyPolicyName), syncPolicy)
		},
		func() error {
			return ensureOrRemove(ctx, o, t, builders.BuildAllowPolicy(t, r.Options.LMSNamespace, top), inNamespace(t, builders.AllowPolicyName), syncPolicy)
		},
		func() error {
			return ensureOrRemove(ctx, o, t, builders.BuildPostgresPolicy(t, top, r.Options.LMSNamespace, r.Options.OperatorNamespace), inNamespace(t, builders.PostgresPolicyName), syncPolicy)
		},
		func() error {
			return ensureOrRemove(ctx, o, t, builders.BuildOwnersRoleBinding(t), inNamespace(t, builders.OwnersRoleBindingName), func(have, want *rbacv1.RoleBinding) {
				have.Subjects = want.Subjects
			})
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fail(err)
		}
	}
	p.condition(platformv1.TenantNamespaceReady, true, platformv1.ReasonReconciled,
		"Namespace %s has its quota, limits, network policies and owners' access", ns.Name)
	return nil
}

// inNamespace names an object in the tenant namespace.
func inNamespace(t *platformv1.Tenant, name string) types.NamespacedName {
	return types.NamespacedName{Namespace: t.NamespaceName(), Name: name}
}

func syncPolicy(have, want *networkingv1.NetworkPolicy) { have.Spec = want.Spec }

// ensureOrRemove ensures want, or, when the builder returned nil, deletes
// the tenant's object of that name if there is one.
func ensureOrRemove[T client.Object](ctx context.Context, o objects, t *platformv1.Tenant, want T, key types.NamespacedName, sync func(have, want T)) error {
	if !isNil(want) {
		_, _, err := ensure(ctx, o, want, sync)
		return err
	}
	obj := newOf(want)
	obj.SetName(key.Name)
	obj.SetNamespace(key.Namespace)
	if err := o.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
		return client.IgnoreNotFound(err)
	}
	if obj.GetLabels()[builders.TenantLabel] != t.Name {
		return nil // not ours: leave it
	}
	_, err := remove(ctx, o, obj)
	return err
}

func isNil[T client.Object](obj T) bool {
	var zero T
	return any(obj) == any(zero)
}

// newOf returns a new empty object of T's type (T is a pointer type).
func newOf[T client.Object](_ T) T {
	var zero T
	return reflect.New(reflect.TypeOf(zero).Elem()).Interface().(T)
}
