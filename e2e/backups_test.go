//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"bellwork.dev/bellwork/internal/dev/platform"
)

// Journey: a platform engineer gives a district with a roster a
// BackupPolicy writing to the local S3 server, triggers a backup and a
// verification from the CronJobs with kubectl as the runbook says,
// and sees the backup verified in `kubectl get backuppolicies`; then
// restores it into a new Tenant (spec.database.restoreFrom), where the
// district admin signs in with their old password and sees the same
// roster. The Jobs run for real through make run's local kubelet: pg_dump
// of the district's database as its backup role, uploaded with minio-go,
// restored into a throwaway database, then into the new tenant's.
func TestEngineerBacksUpAndVerifiesADistrict(t *testing.T) {
	keepLogsOnFailure(t)
	d := newTenant(t, "backup")
	ns := "tenant-" + d.Name
	tb := newTab(t)
	adminImports(t, tb, d)
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
	// The runs come from the records the Jobs wrote to storage, named by Job.
	id := kubectl(t, "", "-n", ns, "get", "backuppolicy", "nightly", "-o", "jsonpath={.status.lastVerification.name}")
	runs := kubectl(t, "", "-n", ns, "get", "backuppolicy", "nightly", "-o",
		"jsonpath={range .status.recentRuns[*]}{.job}/{.kind}/{.state}/{.backup} {end}")
	if id == "" || !strings.Contains(runs, "backup-now/Backup/Succeeded/"+id) || !strings.Contains(runs, "verify-now/Verification/Succeeded/"+id) {
		t.Fatalf("status.recentRuns = %q, want backup-now and verify-now of backup %q", runs, id)
	}

	// Disaster recovery, as docs/backups.md says: a new Tenant from the
	// newest verified backup, with the district's School applied again.
	restored := &district{Name: d.Name + "-r", AdminEmail: d.AdminEmail}
	restored.Host = restored.Name + ".localhost"
	restored.Base = fmt.Sprintf("http://%s:%d", restored.Host, plat.Opts.LMSPort)
	kubectl(t, fmt.Sprintf(`apiVersion: platform.bellwork.dev/v1
kind: Tenant
metadata: {name: %s}
spec:
  displayName: Restored Unified School District
  hosts: [%s]
  timeZone: America/Chicago
  database:
    external: {host: 127.0.0.1, port: %d, adminSecret: %s, adminSecretNamespace: %s, sslMode: disable}
    restoreFrom: {tenant: %s, backupPolicy: nightly}
---
apiVersion: platform.bellwork.dev/v1
kind: School
metadata: {name: middle, namespace: tenant-%s}
spec:
  tenant: %s
  code: SCH-1
  displayName: E2E Middle School
  timeZone: America/Chicago
`, restored.Name, restored.Host, plat.Opts.PostgresPort, platform.AdminSecret, platform.Namespace, d.Name, restored.Name, restored.Name), "apply", "-f", "-")
	kubectl(t, "", "wait", "--for=condition=Restored", "tenant/"+restored.Name, "--timeout=240s")
	kubectl(t, "", "wait", "--for=condition=Ready", "tenant/"+restored.Name, "--timeout=120s")
	t.Logf("restored: %s", kubectl(t, "", "get", "tenant", restored.Name, "-o", `jsonpath={.status.conditions[?(@.type=="Restored")].message}`))
	if got := kubectl(t, "", "get", "tenant", restored.Name, "-o", "jsonpath={.status.restore.backup}"); got != id {
		t.Fatalf("status.restore.backup = %q, want the newest verified backup %q", got, id)
	}

	tb.clearCookies()
	tb.open(restored.Base + "/signin")
	tb.submit(map[string]string{"#email": restored.AdminEmail, "#password": "district admin password"}, `button[type="submit"].primary`)
	for role, names := range map[string][]string{"teacher": {"Ana Rivera", "Ben Okafor"}, "student": {"Leo Cruz", "Mai Nguyen"}, "guardian": {"Rosa Cruz"}} {
		tb.open(restored.Base + "/admin/users?role=" + role)
		tb.expect(names...)
	}
	tb.open(restored.Base + "/report")
	tb.expect("Life Science - P2", "Math 7 - P3")
	tb.shot("restored-report")
}
