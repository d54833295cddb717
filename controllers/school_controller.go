package controllers

import (
	"context"

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

// SchoolReconciler reports whether each School is valid, published in its
// tenant's directory entry and synced by the LMS, and holds a deleted
// School until the LMS has archived it. The Tenant controller publishes.
type SchoolReconciler struct {
	Client    client.Client
	APIReader client.Reader
	Events    record.EventRecorder
	Platform  Platform
	Options   SchoolOptions
}

// Reconcile is the table of contents: read the School, hold or release a
// deleted one, otherwise find out where it stands; write status once, and
// turn the outcome into a result.
func (r *SchoolReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	s := &platformv1.School{}
	if err := r.Client.Get(ctx, req.NamespacedName, s); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	p := newSchoolPass(s)
	var err error
	if !s.DeletionTimestamp.IsZero() {
		err = r.finalize(ctx, p)
	} else {
		err = r.reconcile(ctx, p)
	}
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

// reconcile finds out where a School stands, phase by phase. A phase that
// settles the School's status for now ends the pass with ErrTerminateLoop.
func (r *SchoolReconciler) reconcile(ctx context.Context, p *schoolPass) error {
	phases := []reconcile.Phase[*schoolPass]{
		// Hold deletion until the LMS has archived the school.
		{Name: "finalizer", Run: r.ensureFinalizer},
		// Valid: right namespace, known time zone, a code of its own, a tenant.
		{Name: "validate", Run: r.validate},
		// Published: in the tenant's directory entry, this version.
		{Name: "publish", Run: r.checkPublished},
		// Synced: the LMS reports holding this version.
		{Name: "sync", Run: r.checkSynced},
	}
	return reconcile.RunPhases(ctx, p, phases)
}

// SetupWithManager watches Schools, their siblings (a duplicate code
// resolves when the older School goes), their Tenant and its entry.
func (r *SchoolReconciler) SetupWithManager(mgr ctrl.Manager) error {
	c := mgr.GetClient()
	schoolsIn := func(ctx context.Context, ns string) []ctrl.Request {
		var list platformv1.SchoolList
		if err := c.List(ctx, &list, client.InNamespace(ns)); err != nil {
			return nil
		}
		out := make([]ctrl.Request, 0, len(list.Items))
		for _, s := range list.Items {
			out = append(out, ctrl.Request{NamespacedName: client.ObjectKeyFromObject(&s)})
		}
		return out
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named("school").
		For(&platformv1.School{}).
		Watches(&platformv1.School{}, handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []ctrl.Request {
			return schoolsIn(ctx, o.GetNamespace())
		})).
		Watches(&platformv1.Tenant{}, handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []ctrl.Request {
			return schoolsIn(ctx, platformv1.TenantNamespacePrefix+o.GetName())
		})).
		Watches(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []ctrl.Request {
			if o.GetLabels()[directory.LabelKey] != directory.LabelValue {
				return nil
			}
			return schoolsIn(ctx, platformv1.TenantNamespacePrefix+o.GetLabels()[directory.TenantLabel])
		})).
		Complete(r)
}
