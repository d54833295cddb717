package controllers

import (
	"context"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/tools/record"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/reconcile"
	"bellwork.dev/bellwork/pkg/directory"
)

// FeatureFlagReconciler reports what each FeatureFlag does to whom: whether
// it is valid, which tenants it reaches, whether their directory entries
// carry this version yet, and when it expires. The Tenant controller
// publishes flags in the entries (see tenantFlags), so an entry has one
// writer; this controller only reads them.
type FeatureFlagReconciler struct {
	Client    client.Client
	APIReader client.Reader
	Events    record.EventRecorder
	Platform  Platform
	Options   FeatureFlagOptions
}

// Reconcile is the table of contents: read the flag, find out where it
// stands, write status once, and turn the outcome into a result.
func (r *FeatureFlagReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	ff := &platformv1.FeatureFlag{}
	if err := r.Client.Get(ctx, req.NamespacedName, ff); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !ff.DeletionTimestamp.IsZero() {
		// Nothing to hold: the Tenant controller drops it from the entries.
		return ctrl.Result{}, nil
	}
	p := newFlagPass(ff)
	err := r.reconcile(ctx, p)
	if err != nil && !reconcile.IsSentinel(err) {
		log.FromContext(ctx).Error(err, "Reconcile failed", "phase", p.Phase())
	}
	if statusErr := r.writeStatus(ctx, p); statusErr != nil {
		if apierrors.IsNotFound(statusErr) {
			return ctrl.Result{}, nil
		}
		return reconcile.Result(statusErr, r.Platform.RetryInterval, 0)
	}
	return reconcile.Result(err, r.Platform.RetryInterval, p.Next(r.Options.ResyncInterval))
}

// reconcile finds out where a flag stands, phase by phase.
func (r *FeatureFlagReconciler) reconcile(ctx context.Context, p *flagPass) error {
	phases := []reconcile.Phase[*flagPass]{
		// Valid: the evaluator's checks, beyond what the API server checked.
		{Name: "validate", Run: r.validate},
		// Published: which tenants it reaches, and whether their entries carry it.
		{Name: "publish", Run: r.checkPublished},
		// Expiring and Stale: the flag's expiry date.
		{Name: "expiry", Run: r.checkExpiry},
	}
	return reconcile.RunPhases(ctx, p, phases)
}

// SetupWithManager watches FeatureFlags, the directory entries that carry
// them, the Tenants they reach, and the tenant flags that shadow a
// platform flag of the same name.
func (r *FeatureFlagReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		Named("featureflag").
		For(&platformv1.FeatureFlag{}).
		Watches(&platformv1.FeatureFlag{}, handler.EnqueueRequestsFromMapFunc(r.shadowedPlatformFlag)).
		Watches(&platformv1.Tenant{}, handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []ctrl.Request {
			return r.flagsReaching(ctx, o.GetName())
		})).
		Watches(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []ctrl.Request {
			if o.GetNamespace() != r.Platform.LMSNamespace || o.GetLabels()[directory.LabelKey] != directory.LabelValue {
				return nil
			}
			return r.flagsReaching(ctx, o.GetLabels()[directory.TenantLabel])
		})).
		Complete(r)
}

// flagsReaching are the flags that may reach tenant: the platform's and the
// tenant's own.
func (r *FeatureFlagReconciler) flagsReaching(ctx context.Context, tenant string) []ctrl.Request {
	var out []ctrl.Request
	for _, ns := range []string{r.Platform.OperatorNamespace, platformv1.TenantNamespacePrefix + tenant} {
		var list platformv1.FeatureFlagList
		if err := r.Client.List(ctx, &list, client.InNamespace(ns)); err != nil {
			log.FromContext(ctx).Error(err, "Could not list FeatureFlags", "namespace", ns)
			continue
		}
		for _, ff := range list.Items {
			out = append(out, ctrl.Request{NamespacedName: client.ObjectKeyFromObject(&ff)})
		}
	}
	return out
}

// shadowedPlatformFlag maps a tenant's flag to the platform flag of the same
// name, whose affected tenants it changes.
func (r *FeatureFlagReconciler) shadowedPlatformFlag(_ context.Context, o client.Object) []ctrl.Request {
	if o.GetNamespace() == r.Platform.OperatorNamespace || !strings.HasPrefix(o.GetNamespace(), platformv1.TenantNamespacePrefix) {
		return nil
	}
	return []ctrl.Request{{NamespacedName: client.ObjectKey{Namespace: r.Platform.OperatorNamespace, Name: o.GetName()}}}
}
