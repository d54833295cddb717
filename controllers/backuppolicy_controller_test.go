package controllers_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/controllers"
	"bellwork.dev/bellwork/internal/backup"
)

func backupPolicy(ns string) *platformv1.BackupPolicy {
	return &platformv1.BackupPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "nightly", Namespace: ns},
		Spec: platformv1.BackupPolicySpec{
			Schedule: "0 3 * * *",
			Destination: platformv1.BackupDestination{S3: &platformv1.S3Destination{
				Endpoint: "http://127.0.0.1:19000", Bucket: "backups", CredentialsSecret: "s3-creds"}},
			Retention:    platformv1.BackupRetention{KeepLast: 5},
			Verification: platformv1.BackupVerification{Schedule: "30 3 * * *", MinimumTables: 3},
		},
	}
}

func getCronJob(t *testing.T, ns, name string) (*batchv1.CronJob, error) {
	t.Helper()
	cj := &batchv1.CronJob{}
	err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, cj)
	return cj, err
}

// A BackupPolicy in a tenant's namespace becomes a backup and a
// verification CronJob in the tenant's time zone that never overlap, whose
// pods make run's local kubelet runs; suspending and disabling
// verification follow the spec.
func TestBackupPolicyCreatesCronJobs(t *testing.T) {
	startManager(t, func(o *controllers.Options) {
		o.BackupPolicy = controllers.BackupPolicyOptions{Image: "lms:test", VerificationSecret: "verifier", RunLocally: true}
	})
	ctx := context.Background()
	tenant := "bkp1"
	ns := platformv1.TenantNamespacePrefix + tenant
	create(t, externalTenant(tenant))
	ensureNamespace(t, ns)
	create(t, backupPolicy(ns))

	var backup, verify *batchv1.CronJob
	eventually(t, 30*time.Second, func() (bool, string) {
		var err1, err2 error
		backup, err1 = getCronJob(t, ns, "nightly-backup")
		verify, err2 = getCronJob(t, ns, "nightly-verify")
		return err1 == nil && err2 == nil, fmt.Sprintf("backup: %v, verify: %v", err1, err2)
	})
	s := backup.Spec
	if s.Schedule != "0 3 * * *" || s.TimeZone == nil || *s.TimeZone != "America/Chicago" || s.ConcurrencyPolicy != batchv1.ForbidConcurrent {
		t.Errorf("backup CronJob: schedule %q zone %v concurrency %q; want the policy's schedule in the tenant's zone, Forbid", s.Schedule, s.TimeZone, s.ConcurrencyPolicy)
	}
	pod := s.JobTemplate.Spec.Template
	if pod.Labels["platform.bellwork.dev/run-locally"] != "true" || !slices.Contains(pod.Spec.Containers[0].Args, "--keep-last=5") {
		t.Errorf("pod labels %v, args %v", pod.Labels, pod.Spec.Containers[0].Args)
	}
	if pod.Spec.Containers[0].Image != "lms:test" || !*pod.Spec.Containers[0].SecurityContext.RunAsNonRoot {
		t.Errorf("container = %+v", pod.Spec.Containers[0])
	}
	if verify.Spec.Schedule != "30 3 * * *" || verify.Spec.ConcurrencyPolicy != batchv1.ForbidConcurrent {
		t.Errorf("verify CronJob: %+v", verify.Spec)
	}
	// The backup pods may reach the storage endpoint (the namespace's
	// allow policy gives them DNS and the database).
	egress := &networkingv1.NetworkPolicy{}
	eventually(t, 30*time.Second, func() (bool, string) {
		err := env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "nightly-backup-egress"}, egress)
		return err == nil, fmt.Sprint(err)
	})
	if r := egress.Spec.Egress; len(r) != 1 || len(r[0].To) != 1 || r[0].To[0].IPBlock == nil || r[0].To[0].IPBlock.CIDR != "127.0.0.1/32" ||
		r[0].Ports[0].Port.IntValue() != 19000 || egress.Spec.PodSelector.MatchLabels["platform.bellwork.dev/component"] != "backup" {
		t.Errorf("backup egress policy = %+v", egress.Spec)
	}
	eventually(t, 30*time.Second, func() (bool, string) {
		bp := &platformv1.BackupPolicy{}
		if err := env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "nightly"}, bp); err != nil {
			return false, err.Error()
		}
		return meta.IsStatusConditionTrue(bp.Status.Conditions, platformv1.ConditionReady) && bp.Status.ObservedGeneration == bp.Generation,
			conditions(bp.Status.Conditions)
	})
	version := backup.ResourceVersion

	bp := &platformv1.BackupPolicy{}
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "nightly"}, bp); err != nil {
		t.Fatal(err)
	}
	unsuspended := bp.DeepCopy()
	bp.Spec.Suspend = true
	bp.Spec.Verification.Disabled = true
	if err := env.Client.Patch(ctx, bp, client.MergeFrom(unsuspended)); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func() (bool, string) {
		b, err := getCronJob(t, ns, "nightly-backup")
		if err != nil {
			return false, err.Error()
		}
		_, verr := getCronJob(t, ns, "nightly-verify")
		return *b.Spec.Suspend && apierrors.IsNotFound(verr), fmt.Sprintf("suspend %v, verify CronJob: %v", *b.Spec.Suspend, verr)
	})
	if b, _ := getCronJob(t, ns, "nightly-backup"); b.ResourceVersion == version {
		t.Error("the backup CronJob was not updated for suspend")
	}
}

func TestBackupPolicyOutsideATenantNamespaceIsRefused(t *testing.T) {
	startManager(t, nil)
	ensureNamespace(t, "not-a-tenant")
	create(t, backupPolicy("not-a-tenant"))
	eventually(t, 30*time.Second, func() (bool, string) {
		bp := &platformv1.BackupPolicy{}
		if err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: "not-a-tenant", Name: "nightly"}, bp); err != nil {
			return false, err.Error()
		}
		c := meta.FindStatusCondition(bp.Status.Conditions, platformv1.ConditionReady)
		return c != nil && c.Status == metav1.ConditionFalse && c.Reason == platformv1.ReasonInvalidSpec, conditions(bp.Status.Conditions)
	})
	if _, err := getCronJob(t, "not-a-tenant", "nightly-backup"); !apierrors.IsNotFound(err) {
		t.Errorf("CronJob outside a tenant namespace: %v", err)
	}
}

// Status comes from the catalogue in storage: the newest backup, its
// verification, the number kept.
func TestBackupPolicyStatusFromTheCatalogue(t *testing.T) {
	startManager(t, nil)
	ctx := context.Background()
	tenant := "bkp2"
	ns := platformv1.TenantNamespacePrefix + tenant
	create(t, externalTenant(tenant))
	ensureNamespace(t, ns)
	dir := t.TempDir()
	write := func(rel, body string) {
		t.Helper()
		p := filepath.Join(dir, tenant, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("20261101T020000Z-aaaaaa/manifest.json", `{"id":"20261101T020000Z-aaaaaa","tenant":"bkp2","started":"2026-11-01T02:00:00Z","finished":"2026-11-01T02:01:00Z","size":1000}`)
	write("20261101T020000Z-aaaaaa/verification.json", `{"backupId":"20261101T020000Z-aaaaaa","passed":true,"restoreSeconds":3,"finished":"2026-11-01T03:00:00Z"}`)
	write("20261102T020000Z-bbbbbb/manifest.json", `{"id":"20261102T020000Z-bbbbbb","tenant":"bkp2","started":"2026-11-02T02:00:00Z","finished":"2026-11-02T02:01:30Z","size":2000}`)
	write("20261102T020000Z-bbbbbb/verification.json", `{"backupId":"20261102T020000Z-bbbbbb","passed":false,"problems":["table public.users has 3 rows after restore, manifest says 4"]}`)
	write("20261103T020000Z-cccccc/dump.pgdump", "a failed run's remains: no manifest")

	bp := backupPolicy(ns)
	bp.Spec.Destination = platformv1.BackupDestination{Filesystem: &platformv1.FilesystemDestination{Path: dir}}
	bp.Spec.RPO = &metav1.Duration{Duration: 26 * time.Hour} // the newest backup is weeks old
	create(t, bp)
	eventually(t, 30*time.Second, func() (bool, string) {
		got := &platformv1.BackupPolicy{}
		if err := env.Client.Get(ctx, client.ObjectKeyFromObject(bp), got); err != nil {
			return false, err.Error()
		}
		st := got.Status
		ok := st.Backups == 2 && st.LastBackup != nil && st.LastBackup.Name == "20261102T020000Z-bbbbbb" && st.LastBackup.SizeBytes == 2000 &&
			st.LastVerification != nil && !st.LastVerification.Succeeded && strings.Contains(st.LastVerification.Message, "manifest says 4") &&
			meta.IsStatusConditionTrue(st.Conditions, platformv1.BackupLastSucceeded) &&
			meta.IsStatusConditionFalse(st.Conditions, platformv1.BackupVerified) &&
			meta.IsStatusConditionFalse(st.Conditions, platformv1.BackupRPOSatisfied) &&
			st.LastVerifiedTime != nil && st.LastVerifiedTime.Time.Equal(time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC))
		return ok, fmt.Sprintf("%+v %s", st, conditions(st.Conditions))
	})

	// The metrics AlertRules watch, per tenant.
	families, err := ctrlmetrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "tenant" && l.GetValue() == tenant {
					got[f.GetName()] = m.GetGauge().GetValue()
				}
			}
		}
	}
	if got["bellwork_backups"] != 2 || got["bellwork_backup_last_size_bytes"] != 2000 || got["bellwork_backup_last_duration_seconds"] != 90 ||
		got["bellwork_backup_last_verification_passed"] != 0 || got["bellwork_backup_last_success_age_seconds"] < 86400 ||
		got["bellwork_backup_last_verified_age_seconds"] < 86400 {
		t.Errorf("metrics for %s = %v", tenant, got)
	}

	// A backup that leaves storage (retention in the backup Job) is
	// announced with an Event. Storage changes wake nothing in Kubernetes,
	// so the policy is touched instead of waiting a minute for the next look.
	if err := os.RemoveAll(filepath.Join(dir, tenant, "20261101T020000Z-aaaaaa")); err != nil {
		t.Fatal(err)
	}
	touched := &platformv1.BackupPolicy{}
	if err := env.Client.Get(ctx, client.ObjectKeyFromObject(bp), touched); err != nil {
		t.Fatal(err)
	}
	// A merge patch, not an update: the controller may write the status
	// in between, and an update would then conflict.
	before := touched.DeepCopy()
	touched.Annotations = map[string]string{"test/touch": "1"}
	if err := env.Client.Patch(ctx, touched, client.MergeFrom(before)); err != nil {
		t.Fatal(err)
	}
	waitObjectEvent(t, "BackupPolicy", "nightly", "Normal", "BackupDeleted", "Backup 20261101T020000Z-aaaaaa is no longer in storage")
	eventually(t, 30*time.Second, func() (bool, string) {
		got := &platformv1.BackupPolicy{}
		if err := env.Client.Get(ctx, client.ObjectKeyFromObject(bp), got); err != nil {
			return false, err.Error()
		}
		return strings.Join(got.Status.BackupIDs, ",") == "20261102T020000Z-bbbbbb", fmt.Sprint(got.Status.BackupIDs)
	})
}

// A backup Job that failed after the newest backup in storage turns
// LastBackupSucceeded False with the Job's reason (storage alone would
// still show the older good backup); the Jobs are listed newest first in
// recentRuns, and the next scheduled times are in status.
func TestBackupPolicyReportsFailedRunsAndSchedule(t *testing.T) {
	startManager(t, func(o *controllers.Options) {
		o.BackupPolicy = controllers.BackupPolicyOptions{Image: "lms:test", VerificationSecret: "verifier"}
	})
	ctx := context.Background()
	tenant := "bkp3"
	ns := platformv1.TenantNamespacePrefix + tenant
	create(t, externalTenant(tenant))
	ensureNamespace(t, ns)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, tenant, "20261101T020000Z-aaaaaa"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, tenant, "20261101T020000Z-aaaaaa", "manifest.json"),
		[]byte(`{"id":"20261101T020000Z-aaaaaa","tenant":"bkp3","started":"2026-11-01T02:00:00Z","finished":"2026-11-01T02:01:00Z","size":1000}`), 0o644); err != nil {
		t.Fatal(err)
	}
	bp := backupPolicy(ns)
	bp.Spec.Destination = platformv1.BackupDestination{Filesystem: &platformv1.FilesystemDestination{Path: dir}}
	create(t, bp)
	backupJob, _ := getCronJobEventually(t, ns, "nightly-backup")

	// Two runs from the CronJob's template, as `kubectl create job --from` makes them.
	for _, name := range []string{"backup-ok", "backup-broken"} {
		j := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: backupJob.Spec.JobTemplate.Labels},
			Spec: *backupJob.Spec.JobTemplate.Spec.DeepCopy()}
		create(t, j)
		finishJob(t, j, name == "backup-ok", map[bool]string{true: "CompletionsReached", false: "BackoffLimitExceeded"}[name == "backup-ok"],
			map[bool]string{true: "", false: "Job has reached the specified backoff limit"}[name == "backup-ok"])
		time.Sleep(1100 * time.Millisecond) // distinct start times, whole seconds in status
	}
	eventually(t, 30*time.Second, func() (bool, string) {
		got := &platformv1.BackupPolicy{}
		if err := env.Client.Get(ctx, client.ObjectKeyFromObject(bp), got); err != nil {
			return false, err.Error()
		}
		st := got.Status
		c := meta.FindStatusCondition(st.Conditions, platformv1.BackupLastSucceeded)
		ok := c != nil && c.Status == metav1.ConditionFalse && c.Reason == platformv1.ReasonBackupFailed &&
			strings.Contains(c.Message, "backup-broken failed: BackoffLimitExceeded") &&
			len(st.RecentRuns) == 2 && st.RecentRuns[0].Job == "backup-broken" && st.RecentRuns[0].State == "Failed" &&
			st.RecentRuns[1].Job == "backup-ok" && st.RecentRuns[1].State == "Succeeded" && st.RecentRuns[1].Kind == "Backup" &&
			st.NextBackupTime != nil && st.NextBackupTime.After(time.Now()) && st.NextVerificationTime != nil
		return ok, fmt.Sprintf("%+v %s", st, conditions(st.Conditions))
	})
	got := &platformv1.BackupPolicy{}
	if err := env.Client.Get(ctx, client.ObjectKeyFromObject(bp), got); err != nil {
		t.Fatal(err)
	}
	chicago, _ := time.LoadLocation("America/Chicago")
	if n := got.Status.NextBackupTime.In(chicago); n.Hour() != 3 || n.Minute() != 0 {
		t.Errorf("next backup at %s, want 03:00 in the tenant's zone (schedule 0 3 * * *)", n)
	}
}

func getCronJobEventually(t *testing.T, ns, name string) (*batchv1.CronJob, error) {
	t.Helper()
	var cj *batchv1.CronJob
	eventually(t, 30*time.Second, func() (bool, string) {
		var err error
		cj, err = getCronJob(t, ns, name)
		return err == nil, fmt.Sprint(err)
	})
	return cj, nil
}

// Recent runs come from the run records in storage, so a failed run shows
// with the runner's own message even after Kubernetes dropped its Job; a
// Job that left no record (killed, or storage unreachable) shows from the
// Job. The newest failed backup run turns LastBackupSucceeded False.
func TestBackupPolicyRecentRunsFromTheCatalogue(t *testing.T) {
	startManager(t, func(o *controllers.Options) {
		o.BackupPolicy = controllers.BackupPolicyOptions{Image: "lms:test"}
	})
	ctx := context.Background()
	tenant := "bkp4"
	ns := platformv1.TenantNamespacePrefix + tenant
	create(t, externalTenant(tenant))
	ensureNamespace(t, ns)
	dir := t.TempDir()
	store := backup.FolderStore{Dir: dir}
	id := "20261101T020000Z-aaaaaa"
	if err := os.MkdirAll(filepath.Join(dir, tenant, id), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, tenant, id, "manifest.json"),
		[]byte(`{"id":"`+id+`","tenant":"bkp4","started":"2026-11-01T02:00:00Z","finished":"2026-11-01T02:01:00Z","size":1000}`), 0o644); err != nil {
		t.Fatal(err)
	}
	day := func(d int) time.Time { return time.Date(2026, 11, d, 2, 0, 0, 0, time.UTC) }
	for _, rec := range []backup.RunRecord{
		{Kind: backup.RunBackup, Job: "nightly-backup-111", Started: day(1), Finished: day(1).Add(time.Minute), Succeeded: true, BackupID: id},
		{Kind: backup.RunVerification, Job: "nightly-backup-111", Started: day(1).Add(time.Minute), Finished: day(1).Add(2 * time.Minute), Succeeded: true, BackupID: id},
		{Kind: backup.RunBackup, Job: "nightly-backup-222", Started: day(2), Finished: day(2).Add(time.Minute),
			Message: "backup of tenant bkp4 failed: storage is full or over its quota (XMinioStorageFull)"},
	} {
		if err := backup.RecordRun(ctx, store, tenant, rec); err != nil {
			t.Fatal(err)
		}
	}
	bp := backupPolicy(ns)
	bp.Spec.Destination = platformv1.BackupDestination{Filesystem: &platformv1.FilesystemDestination{Path: dir}}
	create(t, bp)
	status := func() platformv1.BackupPolicyStatus {
		got := &platformv1.BackupPolicy{}
		if err := env.Client.Get(ctx, client.ObjectKeyFromObject(bp), got); err != nil {
			t.Fatal(err)
		}
		return got.Status
	}
	eventually(t, 30*time.Second, func() (bool, string) {
		st := status()
		c := meta.FindStatusCondition(st.Conditions, platformv1.BackupLastSucceeded)
		r := st.RecentRuns
		ok := c != nil && c.Status == metav1.ConditionFalse && c.Reason == platformv1.ReasonBackupFailed &&
			strings.Contains(c.Message, "Job nightly-backup-222 failed: backup of tenant bkp4 failed: storage is full") &&
			len(r) == 3 && r[0].Job == "nightly-backup-222" && r[0].State == "Failed" && strings.Contains(r[0].Message, "XMinioStorageFull") &&
			r[1].Kind == "Verification" && r[1].State == "Succeeded" && r[1].Backup == id &&
			r[2].Kind == "Backup" && r[2].Backup == id && r[2].CompletionTime != nil
		return ok, fmt.Sprintf("%+v %s", r, conditions(st.Conditions))
	})

	// A Job killed before it could write a record: only Kubernetes knows.
	backupJob, _ := getCronJobEventually(t, ns, "nightly-backup")
	j := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "backup-killed", Namespace: ns, Labels: backupJob.Spec.JobTemplate.Labels},
		Spec: *backupJob.Spec.JobTemplate.Spec.DeepCopy()}
	create(t, j)
	finishJob(t, j, false, "PodFailurePolicy", "Container backup was terminated by signal 9")
	eventually(t, 30*time.Second, func() (bool, string) {
		st := status()
		c := meta.FindStatusCondition(st.Conditions, platformv1.BackupLastSucceeded)
		r := st.RecentRuns
		ok := c != nil && c.Status == metav1.ConditionFalse && strings.Contains(c.Message, "Job backup-killed failed: PodFailurePolicy") &&
			len(r) == 4 && r[0].Job == "backup-killed" && r[0].State == "Failed" && r[1].Job == "nightly-backup-222"
		return ok, fmt.Sprintf("%+v %s", r, conditions(st.Conditions))
	})
}
