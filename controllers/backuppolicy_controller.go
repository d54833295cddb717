package controllers

import (
	"context"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/tools/record"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/reconcile"
)

// eventBackupDeleted announces a backup that left storage.
const eventBackupDeleted = "BackupDeleted"

// +kubebuilder:rbac:groups=batch,resources=cronjobs,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=networking.k8s.io,resources=networkpolicies,verbs=get;list;watch;create;update;patch;delete

// BackupPolicyReconciler keeps a BackupPolicy's CronJobs in place: one that
// runs `lms backup` (with retention) on the policy's schedule and one that
// runs `lms verify`; and reports what the backup storage holds.
type BackupPolicyReconciler struct {
	Client    client.Client
	APIReader client.Reader
	Events    record.EventRecorder
	Platform  Platform
	Options   BackupPolicyOptions
}

// Reconcile is the table of contents: read the policy, put its CronJobs in
// place, write status once, turn the outcome into a result.
func (r *BackupPolicyReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	bp := &platformv1.BackupPolicy{}
	if err := r.Client.Get(ctx, req.NamespacedName, bp); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !bp.DeletionTimestamp.IsZero() {
		// The CronJobs are owned by the policy: garbage collection removes them.
		return ctrl.Result{}, nil
	}
	p := newBackupPass(bp)
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
	p.RecordChanges(r.Events, bp, platformv1.ReasonReconciled)
	// Announced only once status no longer lists them, so each deletion is
	// announced once, by whichever operator process saw it.
	for _, id := range p.deleted {
		log.FromContext(ctx).Info("Backup deleted from storage", "backup", id)
		r.Events.Eventf(bp, corev1.EventTypeNormal, eventBackupDeleted,
			"Backup %s is no longer in storage: the backup Job's retention deleted it (its log gives the rule), or someone did by hand", id)
	}
	return reconcile.Result(err, r.Platform.RetryInterval, p.Next(catalogueInterval))
}

func (r *BackupPolicyReconciler) reconcile(ctx context.Context, p *backupPass) error {
	phases := []reconcile.Phase[*backupPass]{
		// Tenant: the policy's namespace names its tenant, whose time zone
		// the schedules default to.
		{Name: "tenant", Run: r.findTenant},
		// CronJobs: backup and verification, as the builders say, and the
		// backup pods' egress to storage.
		{Name: "cronjobs", Run: r.ensureCronJobs},
		// Catalogue: what storage holds, read into status.
		{Name: "catalogue", Run: r.readCatalogue},
		// Runs: the run records in storage and the Jobs that left none.
		{Name: "runs", Run: r.readRuns},
		// Physical: CloudNativePG's ScheduledBackup for a dedicated cluster.
		{Name: "physical", Run: r.reconcilePhysical},
	}
	return reconcile.RunPhases(ctx, p, phases)
}

// SetupWithManager watches BackupPolicies, their CronJobs, and Tenants
// (whose time zone the schedules follow).
func (r *BackupPolicyReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		Named("backuppolicy").
		For(&platformv1.BackupPolicy{}).
		Owns(&batchv1.CronJob{}).
		Owns(&networkingv1.NetworkPolicy{}).
		// The CronJobs' Jobs carry the policy's instance label.
		Watches(&batchv1.Job{}, handler.EnqueueRequestsFromMapFunc(func(_ context.Context, o client.Object) []ctrl.Request {
			name := o.GetLabels()[builders.InstanceLabel]
			if name == "" || o.GetLabels()[builders.ManagedByLabel] != builders.ManagedByValue {
				return nil
			}
			return []ctrl.Request{{NamespacedName: client.ObjectKey{Namespace: o.GetNamespace(), Name: name}}}
		})).
		Watches(&platformv1.Tenant{}, handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []ctrl.Request {
			var list platformv1.BackupPolicyList
			if err := r.Client.List(ctx, &list, client.InNamespace(platformv1.TenantNamespacePrefix+o.GetName())); err != nil {
				log.FromContext(ctx).Error(err, "Could not list BackupPolicies", "tenant", o.GetName())
				return nil
			}
			out := make([]ctrl.Request, 0, len(list.Items))
			for _, bp := range list.Items {
				out = append(out, ctrl.Request{NamespacedName: client.ObjectKeyFromObject(&bp)})
			}
			return out
		})).
		Complete(r)
}

// tenantOf is the tenant a policy's namespace belongs to, or "".
func tenantOf(bp *platformv1.BackupPolicy) string {
	name, ok := strings.CutPrefix(bp.Namespace, platformv1.TenantNamespacePrefix)
	if !ok {
		return ""
	}
	return name
}
