//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// Journey: a platform engineer gives a district a BackupPolicy writing to
// the local S3 server, triggers a backup and a verification from the
// CronJobs with kubectl as the runbook says, and sees the backup
// verified in `kubectl get backuppolicies`. The Jobs run for real through
// make run's local kubelet: pg_dump of the district's database as its
// backup role, uploaded with minio-go, restored into a throwaway database.
func TestEngineerBacksUpAndVerifiesADistrict(t *testing.T) {
	keepLogsOnFailure(t)
	d := newTenant(t, "backup")
	ns := "tenant-" + d.Name
	if err := plat.PublishBackupSecrets(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	kubectl(t, fmt.Sprintf(`apiVersion: platform.bellwork.dev/v1
kind: BackupPolicy
metadata: {name: nightly, namespace: %s}
spec:
  schedule: "30 1 * * *"
  destination:
    s3: {endpoint: "%s", bucket: backups, credentialsSecret: backup-s3}
  retention: {keepLast: 3}
  verification: {schedule: "0 4 * * *", minimumTables: 10}
`, ns, plat.S3.URL()), "apply", "-f", "-")
	kubectl(t, "", "wait", "--for=condition=Ready", "-n", ns, "backuppolicy/nightly", "--timeout=60s")

	kubectl(t, "", "-n", ns, "create", "job", "--from=cronjob/nightly-backup", "backup-now")
	kubectl(t, "", "-n", ns, "wait", "--for=condition=Complete", "job/backup-now", "--timeout=180s")
	kubectl(t, "", "-n", ns, "create", "job", "--from=cronjob/nightly-verify", "verify-now")
	kubectl(t, "", "-n", ns, "wait", "--for=condition=Complete", "job/verify-now", "--timeout=180s")

	// Status is read from storage every minute.
	kubectl(t, "", "-n", ns, "wait", "--for=condition=BackupVerified", "backuppolicy/nightly", "--timeout=120s")
	out := kubectl(t, "", "get", "backuppolicies", "-n", ns)
	if !strings.Contains(out, "nightly") || strings.Count(out, "True") < 2 {
		t.Fatalf("kubectl get backuppolicies: want nightly verified and ready:\n%s", out)
	}
	if n := kubectl(t, "", "-n", ns, "get", "backuppolicy", "nightly", "-o", "jsonpath={.status.backups}"); n != "1" {
		t.Fatalf("status.backups = %q, want 1", n)
	}
	t.Logf("kubectl get backuppolicies:\n%s", out)
}
