package controllers

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/backup"
)

// catalogueInterval is how often a policy's storage is read again: nothing
// in Kubernetes changes when a Job writes a backup.
const catalogueInterval = time.Minute

// readCatalogue reports the backups in storage, the source of truth
// wherever the Jobs ran: the newest backup, the newest verification, how
// many are kept.
func (r *BackupPolicyReconciler) readCatalogue(ctx context.Context, p *backupPass) error {
	p.WakeIn(catalogueInterval)
	store, err := openBackupStore(ctx, r.APIReader, p.policy)
	if err == nil {
		var all []backup.Manifest
		if all, err = backup.List(ctx, store, p.tenant.Name); err == nil {
			p.report(all)
			p.checkRPO(all, time.Now())
			if p.records, err = backup.Runs(ctx, store, p.tenant.Name, maxRecentRuns); err != nil {
				// The backups were read; the runs phase falls back on the Jobs.
				log.FromContext(ctx).Error(err, "Could not read the run records", "store", store.String())
			}
			return nil
		}
	}
	// Storage that cannot be read is reported, not fatal: the CronJobs
	// are in place and the next look may succeed.
	p.SetCondition(platformv1.BackupLastSucceeded, metav1.ConditionUnknown, platformv1.ReasonDestinationNotReady, "cannot read backup storage: %v", err)
	p.SetCondition(platformv1.BackupVerified, metav1.ConditionUnknown, platformv1.ReasonDestinationNotReady, "cannot read backup storage: %v", err)
	if p.policy.Spec.RPO != nil {
		p.SetCondition(platformv1.BackupRPOSatisfied, metav1.ConditionUnknown, platformv1.ReasonDestinationNotReady, "cannot read backup storage: %v", err)
	}
	return nil
}

// openBackupStore opens a policy's destination with its credentials
// Secret, read directly (the operator's Secret cache holds only its own
// Secrets).
func openBackupStore(ctx context.Context, reader client.Reader, bp *platformv1.BackupPolicy) (backup.Store, error) {
	d := bp.Spec.Destination
	if d.Filesystem != nil {
		return backup.FolderStore{Dir: d.Filesystem.Path}, nil
	}
	if d.S3 == nil {
		return nil, fmt.Errorf("no destination")
	}
	sec := &corev1.Secret{}
	if err := reader.Get(ctx, client.ObjectKey{Namespace: bp.Namespace, Name: d.S3.CredentialsSecret}, sec); err != nil {
		return nil, fmt.Errorf("credentials Secret %s: %w", d.S3.CredentialsSecret, err)
	}
	endpoint, insecure := d.S3.Endpoint, false
	if rest, ok := strings.CutPrefix(endpoint, "http://"); ok {
		endpoint, insecure = rest, true
	}
	endpoint = strings.TrimSuffix(strings.TrimPrefix(endpoint, "https://"), "/")
	region := d.S3.Region
	if region == "" {
		region = "us-east-1"
	}
	return backup.NewS3Store(backup.S3Config{Endpoint: endpoint, Insecure: insecure, Bucket: d.S3.Bucket, Prefix: d.S3.Prefix,
		Region: region, AccessKey: string(sec.Data["accessKeyID"]), SecretKey: string(sec.Data["secretAccessKey"])})
}

// report turns the catalogue (oldest first) into status.
func (p *backupPass) report(all []backup.Manifest) {
	st := &p.status
	st.Backups = int32(len(all))
	p.noteDeletions(all)
	st.LastBackup, st.LastSuccessfulBackupTime, st.LastVerification, st.LastVerifiedTime = nil, nil, nil, nil
	if len(all) == 0 {
		p.Condition(platformv1.BackupLastSucceeded, false, platformv1.ReasonNoBackupYet, "no backup in storage yet")
		p.Condition(platformv1.BackupVerified, false, platformv1.ReasonNoBackupYet, "no backup in storage yet")
		return
	}
	newest := all[len(all)-1]
	st.LastBackup = &platformv1.BackupRecord{Name: newest.ID, StartTime: ptrTime(newest.Started), CompletionTime: ptrTime(newest.Finished),
		Succeeded: true, SizeBytes: newest.Size}
	st.LastSuccessfulBackupTime = ptrTime(newest.Finished)
	p.Condition(platformv1.BackupLastSucceeded, true, platformv1.ReasonReconciled, "backup %s: %d bytes in %.0fs", newest.ID, newest.Size, newest.DumpSeconds)
	for i := len(all) - 1; i >= 0; i-- {
		v := all[i].Verification
		if v == nil {
			continue
		}
		rec := &platformv1.BackupRecord{Name: v.BackupID, StartTime: ptrTime(v.Started), CompletionTime: ptrTime(v.Finished), Succeeded: v.Passed,
			SizeBytes: all[i].Size}
		if !v.Passed {
			rec.Message = strings.Join(v.Problems, "; ")
		}
		st.LastVerification = rec
		break
	}
	for i := len(all) - 1; i >= 0; i-- {
		if v := all[i].Verification; v != nil && v.Passed {
			st.LastVerifiedTime = ptrTime(v.Finished)
			break
		}
	}
	switch v := newest.Verification; {
	case v == nil:
		p.Condition(platformv1.BackupVerified, false, platformv1.ReasonProgressing, "the newest backup %s is not verified yet", newest.ID)
	case v.Passed:
		p.Condition(platformv1.BackupVerified, true, platformv1.ReasonReconciled, "backup %s restored in %.0fs and matched its manifest", newest.ID, v.RestoreSeconds)
	default:
		p.Condition(platformv1.BackupVerified, false, platformv1.ReasonVerificationFailed, "backup %s failed verification: %s", newest.ID, strings.Join(v.Problems, "; "))
	}
}

// checkRPO compares the newest backup's age with spec.rpo. The message
// names times, not ages, so an unchanged catalogue writes no status.
func (p *backupPass) checkRPO(all []backup.Manifest, now time.Time) {
	rpo := p.policy.Spec.RPO
	if rpo == nil {
		return
	}
	if len(all) == 0 {
		p.Condition(platformv1.BackupRPOSatisfied, false, platformv1.ReasonNoBackupYet, "no backup in storage yet; the RPO is %s", rpo.Duration)
		return
	}
	newest := all[len(all)-1]
	due := newest.Finished.Add(rpo.Duration)
	if now.After(due) {
		p.Condition(platformv1.BackupRPOSatisfied, false, platformv1.ReasonRPOMissed, "the newest backup %s finished at %s, more than the RPO %s ago",
			newest.ID, newest.Finished.UTC().Format(time.RFC3339), rpo.Duration)
		return
	}
	p.Condition(platformv1.BackupRPOSatisfied, true, platformv1.ReasonReconciled, "the newest backup %s finished at %s, within the RPO %s",
		newest.ID, newest.Finished.UTC().Format(time.RFC3339), rpo.Duration)
	// Look again when the RPO would be missed, not only on the next tick.
	p.WakeIn(due.Sub(now) + time.Second)
}

func ptrTime(t time.Time) *metav1.Time {
	if t.IsZero() {
		return nil
	}
	// Status keeps whole seconds; so must the comparison that decides
	// whether status changed.
	mt := metav1.NewTime(t.Truncate(time.Second))
	return &mt
}

// maxTrackedIDs bounds status.backupIDs; past it the oldest are not
// tracked, so their deletion is not announced.
const maxTrackedIDs = 1000

// noteDeletions compares the catalogue with the backups status last listed:
// those gone were deleted (by the backup Job's retention, or by hand).
func (p *backupPass) noteDeletions(all []backup.Manifest) {
	now := make([]string, 0, len(all))
	present := map[string]bool{}
	for _, m := range all {
		now = append(now, m.ID)
		present[m.ID] = true
	}
	p.deleted = nil
	for _, id := range p.status.BackupIDs {
		if !present[id] {
			p.deleted = append(p.deleted, id)
		}
	}
	if len(now) > maxTrackedIDs {
		now = now[len(now)-maxTrackedIDs:]
	}
	p.status.BackupIDs = now
	if len(now) == 0 {
		p.status.BackupIDs = nil
	}
}
