package controllers

import (
	"context"
	"slices"
	"strings"

	cnpgv1 "github.com/cloudnative-pg/api/pkg/api/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/reconcile"
)

// +kubebuilder:rbac:groups=postgresql.cnpg.io,resources=scheduledbackups,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=postgresql.cnpg.io,resources=backups,verbs=get;list;watch

// scheduledBackupLabel is the label CloudNativePG puts on the Backups a
// ScheduledBackup makes, naming it.
const scheduledBackupLabel = "cnpg.io/scheduled-backup"

// reconcilePhysical gives a tenant on a dedicated CloudNativePG cluster
// the physical backups spec.physical asks for: the Cluster's Barman
// configuration pointed at the policy's bucket (the one part of the
// Cluster this controller writes; the Tenant controller leaves it alone),
// a ScheduledBackup, and their outcome in status.
func (r *BackupPolicyReconciler) reconcilePhysical(ctx context.Context, p *backupPass) error {
	bp := p.policy
	key := client.ObjectKey{Namespace: bp.Namespace, Name: builders.ScheduledBackupName(bp)}
	want := builders.BuildScheduledBackup(bp, p.tenant)
	p.status.Physical = nil
	if want == nil {
		// Not asked for, or impossible: no ScheduledBackup of ours. Only
		// looked for when status says one was made, so an operator on a
		// cluster without CloudNativePG never asks for its kinds.
		if bp.Status.Physical != nil {
			err := reconcile.EnsureOrRemove(ctx, reconcile.NewWriter(r.Client, r.APIReader, p), want, key,
				func(have client.Object) bool { return ownedBy(have, bp.UID) }, syncScheduledBackup)
			if err != nil && !meta.IsNoMatchError(err) {
				return err
			}
			// The Cluster's Barman configuration was this policy's too.
			cluster := &cnpgv1.Cluster{}
			err = r.Client.Get(ctx, client.ObjectKey{Namespace: bp.Namespace, Name: builders.DedicatedClusterName}, cluster)
			if err == nil && cluster.Spec.Backup != nil {
				patch := client.MergeFrom(cluster.DeepCopy())
				cluster.Spec.Backup = nil
				if err := r.Client.Patch(ctx, cluster, patch); err != nil {
					return err
				}
			} else if err != nil && !apierrors.IsNotFound(err) && !meta.IsNoMatchError(err) {
				return err
			}
		}
		if problem := builders.PhysicalBackupProblem(bp, p.tenant); problem != "" {
			p.Condition(platformv1.PhysicalBackupSucceeded, false, platformv1.ReasonNotDedicated, "%s", problem)
		}
		return nil
	}
	cluster := &cnpgv1.Cluster{}
	if err := r.Client.Get(ctx, client.ObjectKey{Namespace: bp.Namespace, Name: builders.DedicatedClusterName}, cluster); err != nil {
		if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
			p.Condition(platformv1.PhysicalBackupSucceeded, false, platformv1.ReasonProgressing,
				"waiting for the tenant's CloudNativePG Cluster %s", builders.DedicatedClusterName)
			return nil
		}
		return err
	}
	if backup := builders.BuildClusterBackup(bp, p.tenant); !equality.Semantic.DeepEqual(cluster.Spec.Backup, backup) {
		patch := client.MergeFrom(cluster.DeepCopy())
		cluster.Spec.Backup = backup
		if err := r.Client.Patch(ctx, cluster, patch); err != nil {
			return p.Fail(platformv1.PhysicalBackupSucceeded, platformv1.ReasonProgressing, err, "could not configure Cluster %s's backups: %v", cluster.Name, err)
		}
		log.FromContext(ctx).Info("Configured the Cluster's physical backups", "cluster", cluster.Name, "destination", backup.BarmanObjectStore.DestinationPath)
	}
	sb, _, err := reconcile.Ensure(ctx, reconcile.NewWriter(r.Client, r.APIReader, p), want, syncScheduledBackup)
	if err != nil {
		return p.Fail(platformv1.PhysicalBackupSucceeded, platformv1.ReasonProgressing, err, "could not write ScheduledBackup %s: %v", want.Name, err)
	}
	st := &platformv1.PhysicalBackupStatus{ScheduledBackup: sb.Name, LastScheduleTime: sb.Status.LastScheduleTime, NextScheduleTime: sb.Status.NextScheduleTime}
	p.status.Physical = st

	var backups cnpgv1.BackupList
	if err := r.APIReader.List(ctx, &backups, client.InNamespace(bp.Namespace), client.MatchingLabels{scheduledBackupLabel: sb.Name}); err != nil {
		return err
	}
	if len(backups.Items) == 0 {
		p.Condition(platformv1.PhysicalBackupSucceeded, false, platformv1.ReasonNoBackupYet, "CloudNativePG has made no physical backup yet (ScheduledBackup %s)", sb.Name)
		return nil
	}
	newest := slices.MaxFunc(backups.Items, func(a, b cnpgv1.Backup) int {
		return a.CreationTimestamp.Compare(b.CreationTimestamp.Time)
	})
	rec := &platformv1.BackupRecord{Name: newest.Name, StartTime: newest.Status.StartedAt, CompletionTime: newest.Status.StoppedAt,
		Succeeded: newest.Status.Phase == cnpgv1.BackupPhaseCompleted, Message: newest.Status.Error}
	st.LastBackup = rec
	switch newest.Status.Phase {
	case cnpgv1.BackupPhaseCompleted:
		p.Condition(platformv1.PhysicalBackupSucceeded, true, platformv1.ReasonReconciled, "CloudNativePG backup %s completed", newest.Name)
	case cnpgv1.BackupPhaseFailed:
		p.Condition(platformv1.PhysicalBackupSucceeded, false, platformv1.ReasonPhysicalFailed, "CloudNativePG backup %s failed: %s", newest.Name, newest.Status.Error)
	default:
		// Running: the previous outcome stands until this one ends.
		if p.FindCondition(platformv1.PhysicalBackupSucceeded) == nil && meta.FindStatusCondition(bp.Status.Conditions, platformv1.PhysicalBackupSucceeded) == nil {
			p.Condition(platformv1.PhysicalBackupSucceeded, false, platformv1.ReasonProgressing, "CloudNativePG backup %s is %s", newest.Name, strings.ToLower(string(newest.Status.Phase)))
		}
	}
	return nil
}

func syncScheduledBackup(have, want *cnpgv1.ScheduledBackup) {
	have.Spec.Schedule, have.Spec.Suspend, have.Spec.Method = want.Spec.Schedule, want.Spec.Suspend, want.Spec.Method
	have.Spec.BackupOwnerReference = want.Spec.BackupOwnerReference
}
