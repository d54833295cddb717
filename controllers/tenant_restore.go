package controllers

import (
	"context"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/backup"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/reconcile"
)

// +kubebuilder:rbac:groups=batch,resources=jobs,verbs=get;list;watch;create;delete

// reconcileRestore restores the backup of spec.database.restoreFrom into
// the database the earlier phases provisioned empty, before anything is
// published: a Job in the tenant namespace runs `lms restore --owner-url`
// as the tenant's owner role. Once Restored, it never runs again; the
// database's grants then come from the grants phase like any tenant's.
func (r *TenantReconciler) reconcileRestore(ctx context.Context, p *tenantPass) error {
	rf := p.tenant.Spec.Database.RestoreFrom
	if rf == nil || p.IsTrue(platformv1.TenantRestored) {
		return nil
	}
	p.status.Restore = &platformv1.RestoreStatus{Job: builders.RestoreJobName, Backup: rf.Backup}

	// The Job is looked at first: once it exists, the source policy is no
	// longer needed (and may be gone, as in a disaster).
	job := &batchv1.Job{}
	err := r.Client.Get(ctx, client.ObjectKey{Namespace: p.tenant.NamespaceName(), Name: builders.RestoreJobName}, job)
	if apierrors.IsNotFound(err) {
		if job, err = r.startRestore(ctx, p, rf); err != nil || job == nil {
			return err
		}
	} else if err != nil {
		return err
	}
	// The Job names the backup it restores (the newest verified one was
	// chosen when it was made), so status shows the real id.
	which := builders.RestoreJobBackup(job)
	if which == "" {
		which = "newest verified" // a Job made before the operator pinned the id
	}
	p.status.Restore.Backup = which
	if !p.ownedByTenant(job) {
		return p.Fail(platformv1.TenantRestored, platformv1.ReasonRestoreFailed, reconcile.ErrTerminateLoop,
			"Job %s/%s exists but was not made by the operator for this tenant; delete it to restore", job.Namespace, job.Name)
	}
	switch done, failed := jobOutcome(job); {
	case failed != nil:
		return p.Fail(platformv1.TenantRestored, platformv1.ReasonRestoreFailed, reconcile.ErrTerminateLoop,
			"Restore of backup %s of tenant %s failed (%s: %s); the database is left empty. See `kubectl -n %s logs job/%s`, then delete the Job to try again",
			which, rf.Tenant, failed.Reason, failed.Message, job.Namespace, job.Name)
	case done != nil:
		// The grants phase of this pass may have run before the restored
		// tables existed; grant on them now, before the entry is published.
		if err := r.reconcileGrants(ctx, p); err != nil {
			return err
		}
		p.status.Restore.CompletionTime = &metav1.Time{Time: done.LastTransitionTime.Time}
		if _, err := reconcile.Remove(ctx, p.objects, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{
			Namespace: p.tenant.NamespaceName(), Name: builders.RestoreSourceSecret}}); err != nil {
			return err
		}
		p.Condition(platformv1.TenantRestored, true, platformv1.ReasonRestored,
			"Restored backup %s of tenant %s; every table matched the backup's manifest", which, rf.Tenant)
		return nil
	default:
		return p.Fail(platformv1.TenantRestored, platformv1.ReasonRestoring, nil,
			"Job %s/%s is restoring backup %s of tenant %s", job.Namespace, job.Name, which, rf.Tenant)
	}
}

// startRestore reads the source policy, copies its storage credentials into
// the tenant namespace and creates the restore Job. It returns nil and the
// pass's end when the source cannot be used.
func (r *TenantReconciler) startRestore(ctx context.Context, p *tenantPass, rf *platformv1.RestoreSource) (*batchv1.Job, error) {
	ns := platformv1.TenantNamespacePrefix + rf.Tenant
	policy := &platformv1.BackupPolicy{}
	if err := r.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: rf.BackupPolicy}, policy); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, p.Fail(platformv1.TenantRestored, platformv1.ReasonRestoreSourceNotFound, nil,
				"BackupPolicy %s/%s of spec.database.restoreFrom does not exist: it says where the backups are", ns, rf.BackupPolicy)
		}
		return nil, err
	}
	var creds *corev1.Secret
	if s3 := policy.Spec.Destination.S3; s3 != nil {
		// Not the cache: the operator caches only the Secrets it labels.
		creds = &corev1.Secret{}
		if err := r.APIReader.Get(ctx, client.ObjectKey{Namespace: ns, Name: s3.CredentialsSecret}, creds); err != nil {
			if apierrors.IsNotFound(err) {
				return nil, p.Fail(platformv1.TenantRestored, platformv1.ReasonRestoreSourceNotFound, nil,
					"Secret %s/%s with the storage credentials of BackupPolicy %s does not exist", ns, s3.CredentialsSecret, rf.BackupPolicy)
			}
			return nil, err
		}
	}
	// Pin the backup now: "the newest verified" could be another one by
	// the time the Job runs, or on its retry, and status must name the
	// backup this district came from.
	id := rf.Backup
	if id == "" {
		store, err := openBackupStore(ctx, r.APIReader, policy)
		var m *backup.Manifest
		if err == nil {
			m, err = backup.Latest(ctx, store, rf.Tenant, true)
		}
		if err != nil {
			return nil, p.Fail(platformv1.TenantRestored, platformv1.ReasonRestoreSourceNotFound, nil,
				"Cannot choose the newest verified backup of tenant %s in the storage of BackupPolicy %s/%s: %v", rf.Tenant, ns, rf.BackupPolicy, err)
		}
		id = m.ID
	}
	if want := builders.BuildRestoreSourceSecret(p.tenant, creds); want != nil {
		if _, _, err := reconcile.Ensure(ctx, p.objects, want, func(have, want *corev1.Secret) { have.Data = want.Data }); err != nil {
			return nil, p.Fail(platformv1.TenantRestored, platformv1.ReasonProvisioningFailed, err, "%v", err)
		}
	}
	o := builders.BackupJobOptions{Tenant: p.tenant.Name, Image: r.Restore.Image, RunLocally: r.Restore.RunLocally}
	job, _, err := reconcile.Ensure(ctx, p.objects, builders.BuildRestoreJob(p.tenant, policy, id, o), func(have, want *batchv1.Job) {})
	if err != nil {
		return nil, p.Fail(platformv1.TenantRestored, platformv1.ReasonProvisioningFailed, err, "%v", err)
	}
	return job, nil
}

// jobOutcome is a finished Job's Complete or Failed condition.
func jobOutcome(j *batchv1.Job) (done, failed *batchv1.JobCondition) {
	for i := range j.Status.Conditions {
		c := &j.Status.Conditions[i]
		if c.Status != corev1.ConditionTrue {
			continue
		}
		switch c.Type {
		case batchv1.JobComplete:
			done = c
		case batchv1.JobFailed:
			failed = c
		}
	}
	return done, failed
}
