package controllers

import (
	"context"
	"fmt"
	"strings"

	cnpgv1 "github.com/cloudnative-pg/api/pkg/api/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/tools/record"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"bellwork.dev/bellwork/internal/reconcile"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
)

// The operator's RBAC for tenants: the namespace and its guard rails,
// credentials and directory Secrets, CloudNativePG objects.
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch;create;update;patch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups="",resources=resourcequotas;limitranges,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=networking.k8s.io,resources=networkpolicies,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=rolebindings,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=clusterroles,verbs=get;list;watch;create;update;patch;bind;escalate
// +kubebuilder:rbac:groups=postgresql.cnpg.io,resources=clusters;databases;poolers,verbs=get;list;watch;create;update;patch;delete

// TenantReconciler turns a Tenant into a namespace, a database with its
// roles and credentials, and a directory entry the LMS serves.
type TenantReconciler struct {
	Client    client.Client
	APIReader client.Reader
	Events    record.EventRecorder
	Platform  Platform
	Options   TenantOptions
	// Restore runs the restore Jobs of tenants created from a backup: the
	// image and local-kubelet marking of the backup Jobs.
	Restore BackupPolicyOptions
}

// Reconcile is the table of contents: read the Tenant, carry out deletion
// or provisioning, write status once, and turn the outcome into a result.
func (r *TenantReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	t := &platformv1.Tenant{}
	if err := r.Client.Get(ctx, req.NamespacedName, t); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	p := r.newPass(t)
	defer p.close(ctx)

	var err error
	if !t.DeletionTimestamp.IsZero() {
		err = r.finalize(ctx, p)
	} else {
		err = r.reconcile(ctx, p)
	}
	if err != nil && !reconcile.IsSentinel(err) {
		log.FromContext(ctx).Error(err, "Reconcile failed", "phase", p.Phase())
	}
	p.RecordChanges(r.Events, t, eventProvisioned)
	if statusErr := r.writeStatus(ctx, p); statusErr != nil {
		if apierrors.IsNotFound(statusErr) {
			return ctrl.Result{}, nil
		}
		return reconcile.Result(statusErr, r.Platform.RetryInterval, 0)
	}
	return reconcile.Result(err, r.Platform.RetryInterval, p.Next(r.Options.DriftInterval))
}

// reconcile provisions a tenant, phase by phase. Each phase records its
// condition; a phase that cannot finish ends the pass, and a tenant already
// served keeps its last directory entry until it recovers.
func (r *TenantReconciler) reconcile(ctx context.Context, p *tenantPass) error {
	phases := []reconcile.Phase[*tenantPass]{
		// Guard the database and directory entry with a finalizer first.
		{Name: "finalizer", Run: r.ensureFinalizer},
		// The namespace and its guard rails: quota, limits, network policies, owners.
		{Name: "namespace", Run: r.reconcileNamespace},
		// Reach the Postgres server: the external admin, or a CloudNativePG cluster.
		{Name: "server", Run: r.reconcileServer},
		// Roles, their attributes and memberships, put back when changed by hand.
		{Name: "roles", Run: r.reconcileRoles},
		// The database, its owner and who may CONNECT.
		{Name: "database", Run: r.reconcileDatabase},
		// Grants inside the database, and PgBouncer's lookup function.
		{Name: "grants", Run: r.reconcileGrants},
		// The Pooler in front of the database, when one is wanted.
		{Name: "pooler", Run: r.reconcilePooler},
		// Passwords: generated, kept in Secrets, rotated, old logins retired.
		{Name: "credentials", Run: r.reconcileCredentials},
		// A tenant created from a backup: restore it before anyone is let in.
		{Name: "restore", Run: r.reconcileRestore},
		// One-time sign-in links for the district's admins.
		{Name: "invitations", Run: r.reconcileInvitations},
		// The token the district's services evaluate flags over OFREP with.
		{Name: "flag token", Run: r.reconcileFlagToken},
		// The directory entry the LMS serves the tenant from.
		{Name: "publish", Run: r.reconcilePublish},
		// The onboarding checklist, partly reported by the LMS.
		{Name: "onboarding", Run: r.reconcileOnboarding},
	}
	if err := reconcile.RunPhases(ctx, p, phases); err != nil {
		return r.holdLastEntry(p, err)
	}
	return nil
}

// SetupWithManager watches Tenants, what they own, and the objects that
// change their entry or checklist: Schools, BackupPolicies, AlertRules.
func (r *TenantReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if err := mgr.GetFieldIndexer().IndexField(context.Background(), &platformv1.Tenant{}, tenantHostIndex, indexTenantHosts); err != nil {
		return fmt.Errorf("index Tenants by host: %w", err)
	}
	byLabel := handler.EnqueueRequestsFromMapFunc(tenantFromLabel)
	byNamespace := handler.EnqueueRequestsFromMapFunc(tenantFromNamespace)
	b := ctrl.NewControllerManagedBy(mgr).
		Named("tenant").
		For(&platformv1.Tenant{}).
		WithOptions(controller.Options{MaxConcurrentReconciles: r.Options.MaxConcurrentReconciles}).
		Owns(&batchv1.Job{}).
		Watches(&corev1.Namespace{}, byLabel).
		Watches(&corev1.ResourceQuota{}, byLabel).
		Watches(&corev1.LimitRange{}, byLabel).
		Watches(&networkingv1.NetworkPolicy{}, byLabel).
		Watches(&rbacv1.RoleBinding{}, byLabel).
		Watches(&corev1.Secret{}, byLabel).
		Watches(&platformv1.School{}, handler.EnqueueRequestsFromMapFunc(tenantOfSchool)).
		// Only their existence and spec matter here: their own status
		// writes (each backup, each evaluation) would start a pass for
		// nothing, and a pass repairs what the alert journey breaks on purpose.
		Watches(&platformv1.BackupPolicy{}, byNamespace, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&platformv1.AlertRule{}, byNamespace, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		// A tenant's own flags change its entry; the platform's change every entry.
		Watches(&platformv1.FeatureFlag{}, handler.EnqueueRequestsFromMapFunc(r.tenantsOfFlag))
	if cnpgInstalled(mgr) {
		b = b.Watches(&cnpgv1.Cluster{}, byLabel).
			Watches(&cnpgv1.Database{}, byLabel).
			Watches(&cnpgv1.Pooler{}, byLabel)
	}
	return b.Complete(r)
}

// cnpgInstalled says whether the API server serves CloudNativePG's kinds;
// without them the operator still serves external databases.
func cnpgInstalled(mgr ctrl.Manager) bool {
	_, err := mgr.GetRESTMapper().RESTMapping(cnpgv1.SchemeGroupVersion.WithKind("Cluster").GroupKind(), cnpgv1.SchemeGroupVersion.Version)
	if err != nil && !meta.IsNoMatchError(err) {
		ctrl.Log.Error(err, "Could not tell whether CloudNativePG is installed")
	}
	return err == nil
}

func tenantFromLabel(_ context.Context, obj client.Object) []ctrl.Request {
	name := obj.GetLabels()[builders.TenantLabel]
	if name == "" {
		return nil
	}
	return []ctrl.Request{{NamespacedName: client.ObjectKey{Name: name}}}
}

func tenantFromNamespace(_ context.Context, obj client.Object) []ctrl.Request {
	name, ok := strings.CutPrefix(obj.GetNamespace(), platformv1.TenantNamespacePrefix)
	if !ok || name == "" {
		return nil
	}
	return []ctrl.Request{{NamespacedName: client.ObjectKey{Name: name}}}
}

func tenantOfSchool(_ context.Context, obj client.Object) []ctrl.Request {
	s, ok := obj.(*platformv1.School)
	if !ok || s.Spec.Tenant == "" {
		return nil
	}
	return []ctrl.Request{{NamespacedName: client.ObjectKey{Name: s.Spec.Tenant}}}
}

// tenantsOfFlag maps a FeatureFlag to the tenants whose entries carry it:
// its tenant's, or every tenant's for a flag in the operator's namespace.
func (r *TenantReconciler) tenantsOfFlag(ctx context.Context, obj client.Object) []ctrl.Request {
	if obj.GetNamespace() != r.Platform.OperatorNamespace {
		return tenantFromNamespace(ctx, obj)
	}
	var list platformv1.TenantList
	if err := r.Client.List(ctx, &list); err != nil {
		log.FromContext(ctx).Error(err, "Could not list Tenants for a platform FeatureFlag", "featureflag", client.ObjectKeyFromObject(obj))
		return nil
	}
	out := make([]ctrl.Request, 0, len(list.Items))
	for _, t := range list.Items {
		out = append(out, ctrl.Request{NamespacedName: client.ObjectKey{Name: t.Name}})
	}
	return out
}
