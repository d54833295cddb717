package controllers_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/controllers"
)

// restoredTenant is a new tenant created from a backup of source.
func restoredTenant(name, source, backupID string) *platformv1.Tenant {
	t := externalTenant(name)
	t.Spec.Database.RestoreFrom = &platformv1.RestoreSource{Tenant: source, BackupPolicy: "nightly", Backup: backupID}
	return t
}

// sourceWithPolicy is a source tenant's namespace with its BackupPolicy and
// storage credentials, as the restore reads them.
func sourceWithPolicy(t *testing.T, source string) {
	ns := platformv1.TenantNamespacePrefix + source
	ensureNamespace(t, ns)
	create(t, backupPolicy(ns), &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "s3-creds"},
		StringData: map[string]string{"accessKeyID": "AKIA-source", "secretAccessKey": "source-secret"}})
}

func waitRestoreJob(t *testing.T, ns string) *batchv1.Job {
	t.Helper()
	job := &batchv1.Job{}
	eventually(t, 30*time.Second, func() (bool, string) {
		err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "restore"}, job)
		return err == nil, fmt.Sprint(err)
	})
	return job
}

// finishJob writes a Job's status the way the Job controller does at the
// end of a run (the test control plane runs no Job controller).
func finishJob(t *testing.T, job *batchv1.Job, ok bool, reason, message string) {
	t.Helper()
	now := metav1.Now()
	job.Status.StartTime = &now
	cond := func(typ batchv1.JobConditionType) batchv1.JobCondition {
		return batchv1.JobCondition{Type: typ, Status: corev1.ConditionTrue, Reason: reason, Message: message,
			LastProbeTime: now, LastTransitionTime: now}
	}
	if ok {
		job.Status.Succeeded, job.Status.CompletionTime = 1, &now
		job.Status.Conditions = []batchv1.JobCondition{cond(batchv1.JobSuccessCriteriaMet), cond(batchv1.JobComplete)}
	} else {
		job.Status.Failed = 1
		job.Status.Conditions = []batchv1.JobCondition{cond(batchv1.JobFailureTarget), cond(batchv1.JobFailed)}
	}
	if err := env.Client.Status().Update(context.Background(), job); err != nil {
		t.Fatalf("finish Job: %v", err)
	}
}

// A tenant created from a backup is provisioned as usual, then held back
// (Restored False, nothing published) while a Job restores the backup as
// its owner; once the Job completes, the restored tables get the tenant's
// grants and the entry is published.
func TestTenantRestoredFromABackup(t *testing.T) {
	startManager(t, func(o *controllers.Options) {
		o.BackupPolicy = controllers.BackupPolicyOptions{Image: "lms:test", RunLocally: true}
	})
	ctx := context.Background()
	sourceWithPolicy(t, "rsrc")
	create(t, restoredTenant("rdst", "rsrc", "20261128T020000Z-3fa9c1"))
	ns := platformv1.TenantNamespacePrefix + "rdst"

	job := waitRestoreJob(t, ns)
	c := job.Spec.Template.Spec.Containers[0]
	if strings.Join(c.Args, " ") != "restore --tenant=rsrc --backup=20261128T020000Z-3fa9c1" || c.Image != "lms:test" {
		t.Errorf("restore container: image %s args %v", c.Image, c.Args)
	}
	envOf := map[string]string{}
	for _, e := range c.Env {
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			envOf[e.Name] = e.ValueFrom.SecretKeyRef.Name + "/" + e.ValueFrom.SecretKeyRef.Key
		} else {
			envOf[e.Name] = e.Value
		}
	}
	for k, want := range map[string]string{"RESTORE_OWNER_URL": "db-owner/uri", "RESTORE_CHECK_URL": "db-backup/uri",
		"BACKUP_S3_ACCESS_KEY": "restore-source/accessKeyID", "BACKUP_S3_BUCKET": "backups", "BACKUP_S3_ENDPOINT": "127.0.0.1:19000"} {
		if envOf[k] != want {
			t.Errorf("restore env %s = %q, want %q", k, envOf[k], want)
		}
	}
	if job.Spec.Template.Labels["platform.bellwork.dev/run-locally"] != "true" || *job.Spec.BackoffLimit != 0 {
		t.Errorf("restore Job: labels %v, backoff %d", job.Spec.Template.Labels, *job.Spec.BackoffLimit)
	}
	if got := secretData(t, ns, "restore-source"); got["secretAccessKey"] != "source-secret" {
		t.Errorf("restore-source Secret = %v, want the source policy's credentials", got)
	}
	eventually(t, 30*time.Second, func() (bool, string) {
		tn := getTenant(t, "rdst")
		c := meta.FindStatusCondition(tn.Status.Conditions, platformv1.TenantRestored)
		return c != nil && c.Reason == platformv1.ReasonRestoring && !meta.IsStatusConditionTrue(tn.Status.Conditions, platformv1.TenantPublished) &&
			tn.Status.Restore != nil && tn.Status.Restore.Job == "restore", conditions(tn.Status.Conditions)
	})
	dir := &corev1.SecretList{}
	if err := env.Client.List(ctx, dir, client.InNamespace(lmsNamespace), client.MatchingLabels{"platform.bellwork.dev/tenant": "rdst"}); err != nil || len(dir.Items) > 0 {
		t.Fatalf("directory entries published before the restore: %d (%v)", len(dir.Items), err)
	}

	// What the restore leaves: tables owned by the tenant's owner, with no
	// grants (pg_restore --no-privileges).
	tn := getTenant(t, "rdst")
	owner := connectAs(t, tn.Status.Database.Name, secretData(t, ns, "db-owner"))
	mustExec(t, owner, "CREATE TABLE restored_roster (id int PRIMARY KEY, name text)")
	mustExec(t, owner, "REVOKE ALL ON restored_roster FROM PUBLIC")
	mustExec(t, owner, "REVOKE ALL ON restored_roster FROM "+tn.Status.Database.Name+"_app, "+tn.Status.Database.Name+"_readonly, "+tn.Status.Database.Name+"_backup")
	mustExec(t, owner, "INSERT INTO restored_roster VALUES (1, 'Ada')")
	finishJob(t, job, true, "CompletionsReached", "Reached expected number of succeeded pods")

	tn = waitTenant(t, "rdst", metav1.ConditionTrue, 60*time.Second)
	if c := meta.FindStatusCondition(tn.Status.Conditions, platformv1.TenantRestored); c == nil || c.Status != metav1.ConditionTrue ||
		!strings.Contains(c.Message, "20261128T020000Z-3fa9c1") || tn.Status.Restore.CompletionTime == nil {
		t.Errorf("Restored = %+v, restore status %+v", c, tn.Status.Restore)
	}
	if entryOf(t, "rdst") == nil {
		t.Fatal("no directory entry after the restore")
	}
	app := connectAs(t, tn.Status.Database.Name, secretData(t, ns, "db-app"))
	var name string
	if err := app.QueryRow(ctx, "SELECT name FROM restored_roster WHERE id = 1").Scan(&name); err != nil || name != "Ada" {
		t.Errorf("app role reads the restored table: %q, %v", name, err)
	}
	ro := connectAs(t, tn.Status.Database.Name, secretData(t, ns, "db-readonly"))
	if _, err := ro.Exec(ctx, "INSERT INTO restored_roster VALUES (2, 'Eve')"); err == nil {
		t.Error("the readonly role may write the restored table")
	}
	eventually(t, 30*time.Second, func() (bool, string) {
		err := env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "restore-source"}, &corev1.Secret{})
		return apierrors.IsNotFound(err), fmt.Sprintf("restore-source Secret: %v", err)
	})
}

// A restore from "the newest verified backup" pins the backup the operator
// chose: the Job restores that id and status names it. A failed restore
// Job leaves the tenant unpublished with the Job's reason; a restore whose
// BackupPolicy does not exist, or whose storage cannot be read, says so.
func TestTenantRestoreFailures(t *testing.T) {
	startManager(t, func(o *controllers.Options) {
		o.BackupPolicy = controllers.BackupPolicyOptions{Image: "lms:test"}
	})
	sourceWithPolicy(t, "rsrc2") // S3 on a port where nothing listens
	// A folder source whose newest backup failed verification: the older,
	// verified one is the newest verified.
	dir := t.TempDir()
	for id, verification := range map[string]string{
		"20261101T020000Z-aaaaaa": `{"backupId":"20261101T020000Z-aaaaaa","passed":true,"finished":"2026-11-01T02:05:00Z"}`,
		"20261102T020000Z-bbbbbb": `{"backupId":"20261102T020000Z-bbbbbb","passed":false,"problems":["object checksum mismatch"]}`,
	} {
		writeFile(t, filepath.Join(dir, "rsrc3", id, "manifest.json"), `{"id":"`+id+`","tenant":"rsrc3"}`)
		writeFile(t, filepath.Join(dir, "rsrc3", id, "verification.json"), verification)
	}
	ns3 := platformv1.TenantNamespacePrefix + "rsrc3"
	ensureNamespace(t, ns3)
	folder := backupPolicy(ns3)
	folder.Spec.Destination = platformv1.BackupDestination{Filesystem: &platformv1.FilesystemDestination{Path: dir}}
	create(t, folder)

	create(t, restoredTenant("rfail", "rsrc3", ""), restoredTenant("rnone", "gone", ""), restoredTenant("rnostore", "rsrc2", ""))
	job := waitRestoreJob(t, platformv1.TenantNamespacePrefix+"rfail")
	if got := strings.Join(job.Spec.Template.Spec.Containers[0].Args, " "); got != "restore --tenant=rsrc3 --backup=20261101T020000Z-aaaaaa" {
		t.Errorf("restore args %q, want the newest verified backup pinned", got)
	}
	eventually(t, 30*time.Second, func() (bool, string) {
		r := getTenant(t, "rfail").Status.Restore
		return r != nil && r.Backup == "20261101T020000Z-aaaaaa", fmt.Sprintf("%+v", r)
	})
	finishJob(t, job, false, "BackoffLimitExceeded", "Job has reached the specified backoff limit")
	for name, want := range map[string]struct{ reason, text string }{
		"rfail":    {platformv1.ReasonRestoreFailed, "Restore of backup 20261101T020000Z-aaaaaa of tenant rsrc3 failed (BackoffLimitExceeded"},
		"rnone":    {platformv1.ReasonRestoreSourceNotFound, "BackupPolicy tenant-gone/nightly"},
		"rnostore": {platformv1.ReasonRestoreSourceNotFound, "Cannot choose the newest verified backup of tenant rsrc2"},
	} {
		eventually(t, 30*time.Second, func() (bool, string) {
			tn := getTenant(t, name)
			c := meta.FindStatusCondition(tn.Status.Conditions, platformv1.TenantRestored)
			ready := meta.FindStatusCondition(tn.Status.Conditions, platformv1.ConditionReady)
			return c != nil && c.Reason == want.reason && strings.Contains(c.Message, want.text) &&
				ready != nil && ready.Reason == want.reason, conditions(tn.Status.Conditions)
		})
		waitEvent(t, name, corev1.EventTypeWarning, "NotReady", want.text)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
