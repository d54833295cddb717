package builders

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

func samplePolicy() *platformv1.BackupPolicy {
	return &platformv1.BackupPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "nightly", Namespace: "tenant-lincoln", UID: "uid-1"},
		Spec: platformv1.BackupPolicySpec{
			Schedule: "0 2 * * *",
			Destination: platformv1.BackupDestination{S3: &platformv1.S3Destination{
				Endpoint: "http://127.0.0.1:19000", Bucket: "backups", Prefix: "districts", Region: "us-east-1", CredentialsSecret: "s3-creds",
				ServerSideEncryption: "S3"}},
			Retention: platformv1.BackupRetention{KeepLast: 7, KeepDaily: 7, KeepWeekly: 4, KeepMonthly: 6,
				MaxAge: metav1.Duration{Duration: 90 * 24 * time.Hour}},
			Verification: platformv1.BackupVerification{Schedule: "0 5 * * *", MinimumTables: 10,
				Assertions: []string{"(SELECT count(*) FROM users) > 0"}, MaxRestoreTime: &metav1.Duration{Duration: 30 * time.Minute}},
		},
	}
}

var sampleOptions = BackupJobOptions{Tenant: "lincoln", Image: "lms:1", TimeZone: "America/Chicago", VerificationSecret: "verifier", RunLocally: true}

func TestBackupCronJobRunsTheRunnerSafely(t *testing.T) {
	cj := BuildBackupCronJob(samplePolicy(), sampleOptions)
	if cj.Name != "nightly-backup" || cj.Namespace != "tenant-lincoln" || cj.OwnerReferences[0].Kind != "BackupPolicy" {
		t.Errorf("meta = %+v", cj.ObjectMeta)
	}
	s := cj.Spec
	if s.Schedule != "0 2 * * *" || *s.TimeZone != "America/Chicago" || s.ConcurrencyPolicy != batchv1.ForbidConcurrent || *s.Suspend {
		t.Errorf("schedule %q in %q, concurrency %q, suspend %v", s.Schedule, *s.TimeZone, s.ConcurrencyPolicy, *s.Suspend)
	}
	pod := s.JobTemplate.Spec.Template
	if pod.Labels[ComponentLabel] != BackupComponent || pod.Labels[RunLocallyLabel] != "true" {
		t.Errorf("pod labels = %v: the network policy admits only backup pods, and make run's kubelet needs its mark", pod.Labels)
	}
	c := pod.Spec.Containers[0]
	want := []string{"backup", "--tenant=lincoln", "--time-zone=America/Chicago", "--keep-daily=7", "--keep-last=7", "--keep-monthly=6", "--keep-weekly=4", "--max-age=2160h0m0s"}
	if !slices.Equal(c.Command, []string{"lms"}) || !slices.Equal(c.Args, want) {
		t.Errorf("command %q args %q, want lms %q", c.Command, c.Args, want)
	}
	env := envMap(c.Env)
	for k, v := range map[string]string{
		"BACKUP_S3_SSE": "S3", "BACKUP_S3_ENDPOINT": "127.0.0.1:19000", "BACKUP_S3_INSECURE": "true", "BACKUP_S3_BUCKET": "backups", "BACKUP_S3_PREFIX": "districts",
		"BACKUP_S3_ACCESS_KEY": "s3-creds/accessKeyID", "BACKUP_S3_SECRET_KEY": "s3-creds/secretAccessKey", "BACKUP_DATABASE_URL": "db-backup/uri",
		// The run records in storage name their Job.
		"BELLWORK_JOB_NAME": "field metadata.labels['batch.kubernetes.io/job-name']",
	} {
		if env[k] != v {
			t.Errorf("env %s = %q, want %q", k, env[k], v)
		}
	}
	sc := c.SecurityContext
	if !*sc.RunAsNonRoot || !*sc.ReadOnlyRootFilesystem || *sc.AllowPrivilegeEscalation || pod.Spec.SecurityContext.SeccompProfile == nil {
		t.Errorf("container security = %+v, want the LMS's restricted settings", sc)
	}
	if *pod.Spec.AutomountServiceAccountToken || *s.JobTemplate.Spec.BackoffLimit != 0 {
		t.Error("a backup pod needs no API token, and a failed run is reported, not retried")
	}
}

func TestVerifyCronJob(t *testing.T) {
	cj := BuildVerifyCronJob(samplePolicy(), sampleOptions)
	if cj == nil || cj.Spec.Schedule != "0 5 * * *" || cj.Spec.ConcurrencyPolicy != batchv1.ForbidConcurrent {
		t.Fatalf("verify CronJob = %+v", cj)
	}
	c := cj.Spec.JobTemplate.Spec.Template.Spec.Containers[0]
	if all := strings.Join(c.Args, " "); c.Args[0] != "verify" || !strings.Contains(all, "schemaname = 'public') >= 10") ||
		!strings.Contains(all, "--assert=(SELECT count(*) FROM users) > 0") || !strings.Contains(all, "--max-restore=30m0s") {
		t.Errorf("args = %q, want the minimum table count as an assertion", c.Args)
	}
	if envMap(c.Env)["VERIFY_DATABASE_URL"] != "verifier/uri" {
		t.Error("the verification server's credentials are not mounted")
	}
	off := samplePolicy()
	off.Spec.Verification.Disabled = true
	if BuildVerifyCronJob(off, sampleOptions) != nil {
		t.Error("disabled verification still builds a CronJob")
	}
	if BuildVerifyCronJob(samplePolicy(), BackupJobOptions{Tenant: "x"}) != nil {
		t.Error("without a verification server there is nothing to restore into")
	}
	if args := BuildBackupCronJob(samplePolicy(), sampleOptions).Spec.JobTemplate.Spec.Template.Spec.Containers[0].Args; slices.Contains(args, "--verify") {
		t.Errorf("with a verification schedule the backup Job verifies too: %v", args)
	}
}

// By default (no verification schedule) each backup Job verifies its own
// backup right after writing it, with the policy's checks, and there is no
// verification CronJob.
func TestVerificationRightAfterEachBackupByDefault(t *testing.T) {
	p := samplePolicy()
	p.Spec.Verification.Schedule = ""
	if BuildVerifyCronJob(p, sampleOptions) != nil {
		t.Error("a verification CronJob without a schedule")
	}
	c := BuildBackupCronJob(p, sampleOptions).Spec.JobTemplate.Spec.Template.Spec.Containers[0]
	all := strings.Join(c.Args, " ")
	if !slices.Contains(c.Args, "--verify") || !strings.Contains(all, "--assert=(SELECT count(*) FROM users) > 0") ||
		!strings.Contains(all, "--max-restore=30m0s") || envMap(c.Env)["VERIFY_DATABASE_URL"] != "verifier/uri" {
		t.Errorf("backup Job args %q env %v, want it to verify with the policy's checks", c.Args, envMap(c.Env))
	}
	if args := BuildBackupCronJob(p, BackupJobOptions{Tenant: "x"}).Spec.JobTemplate.Spec.Template.Spec.Containers[0].Args; slices.Contains(args, "--verify") {
		t.Error("verifying without a verification server")
	}
}

func TestBackupCronJobToAFolder(t *testing.T) {
	p := samplePolicy()
	p.Spec.Destination = platformv1.BackupDestination{Filesystem: &platformv1.FilesystemDestination{Path: "/srv/backups"}}
	p.Spec.Suspend = true
	cj := BuildBackupCronJob(p, BackupJobOptions{Tenant: "lincoln", Image: "lms:1"})
	c := cj.Spec.JobTemplate.Spec.Template.Spec.Containers[0]
	if envMap(c.Env)["BACKUP_PATH"] != "/srv/backups" || envMap(c.Env)["BACKUP_S3_ENDPOINT"] != "" {
		t.Errorf("env = %v", c.Env)
	}
	if !slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.MountPath == "/srv/backups" }) {
		t.Errorf("folder not mounted: %+v", c.VolumeMounts)
	}
	if !*cj.Spec.Suspend || *cj.Spec.TimeZone != "UTC" {
		t.Errorf("suspend %v, zone %q", *cj.Spec.Suspend, *cj.Spec.TimeZone)
	}
}

func envMap(env []corev1.EnvVar) map[string]string {
	m := map[string]string{}
	for _, e := range env {
		m[e.Name] = e.Value
		if r := e.ValueFrom; r != nil && r.SecretKeyRef != nil {
			m[e.Name] = r.SecretKeyRef.Name + "/" + r.SecretKeyRef.Key
		}
		if r := e.ValueFrom; r != nil && r.FieldRef != nil {
			m[e.Name] = "field " + r.FieldRef.FieldPath
		}
	}
	return m
}

// The restore Job of a tenant created from a backup reads the source
// policy's storage with credentials copied into its own namespace, and
// connects as the new tenant's owner and backup roles, never as an admin.
func TestRestoreJob(t *testing.T) {
	tn := &platformv1.Tenant{ObjectMeta: metav1.ObjectMeta{Name: "copy"}}
	if BuildRestoreJob(tn, samplePolicy(), "20261128T020000Z-3fa9c1", BackupJobOptions{}) != nil {
		t.Fatal("a Job for a tenant without restoreFrom")
	}
	tn.Spec.Database.RestoreFrom = &platformv1.RestoreSource{Tenant: "lincoln-usd", BackupPolicy: "nightly"}
	source := samplePolicy()
	j := BuildRestoreJob(tn, source, "20261128T020000Z-3fa9c1", BackupJobOptions{Image: "lms:1", RunLocally: true})
	c := j.Spec.Template.Spec.Containers[0]
	env := envMap(c.Env)
	if RestoreJobBackup(j) != "20261128T020000Z-3fa9c1" {
		t.Errorf("the Job restores %q, want the backup chosen", RestoreJobBackup(j))
	}
	if j.Namespace != "tenant-copy" || strings.Join(c.Args, " ") != "restore --tenant=lincoln-usd --backup=20261128T020000Z-3fa9c1" ||
		env["RESTORE_OWNER_URL"] != "db-owner/uri" || env["RESTORE_CHECK_URL"] != "db-backup/uri" ||
		env["BACKUP_S3_ACCESS_KEY"] != "restore-source/accessKeyID" {
		t.Errorf("restore Job in %s: args %v env %v", j.Namespace, c.Args, env)
	}
	if *j.Spec.BackoffLimit != 0 || j.Spec.Template.Labels[ComponentLabel] != BackupComponent || j.Spec.Template.Labels[RunLocallyLabel] != "true" {
		t.Errorf("restore Job: backoff %d, pod labels %v", *j.Spec.BackoffLimit, j.Spec.Template.Labels)
	}
	if source.Spec.Destination.S3.CredentialsSecret == RestoreSourceSecret {
		t.Error("building the Job changed the source policy")
	}
}

// Backup pods get egress to the storage endpoint and the verification
// server only (the namespace's allow policy gives every pod DNS and the
// database); an address is pinned, a host name only by port.
func TestBackupEgressPolicy(t *testing.T) {
	p := samplePolicy() // S3 at http://127.0.0.1:19000
	np := BuildBackupEgressPolicy(p, BackupJobOptions{Tenant: "lincoln"}, "db.verify.internal:5433")
	if np == nil {
		t.Fatal("no egress policy for an S3 destination")
	}
	if sel := np.Spec.PodSelector.MatchLabels; sel[ComponentLabel] != BackupComponent || sel[InstanceLabel] != p.Name {
		t.Errorf("selects %v, want the policy's backup pods", sel)
	}
	if len(np.Spec.PolicyTypes) != 1 || np.Spec.PolicyTypes[0] != networkingv1.PolicyTypeEgress || len(np.Spec.Ingress) != 0 {
		t.Errorf("policy types %v ingress %v: want egress only", np.Spec.PolicyTypes, np.Spec.Ingress)
	}
	var got []string
	for _, r := range np.Spec.Egress {
		peer := "any address"
		if len(r.To) == 1 && r.To[0].IPBlock != nil {
			peer = r.To[0].IPBlock.CIDR
		}
		got = append(got, fmt.Sprintf("%s:%s", peer, r.Ports[0].Port.String()))
	}
	if want := []string{"127.0.0.1/32:19000", "any address:5433"}; !slices.Equal(got, want) {
		t.Errorf("egress %v, want %v", got, want)
	}
	s3 := samplePolicy()
	s3.Spec.Destination.S3.Endpoint = "https://s3.eu-west-1.amazonaws.com"
	if np := BuildBackupEgressPolicy(s3, BackupJobOptions{}, ""); len(np.Spec.Egress) != 1 || np.Spec.Egress[0].Ports[0].Port.IntValue() != 443 {
		t.Errorf("https endpoint egress %+v, want port 443", np.Spec.Egress)
	}
	folder := samplePolicy()
	folder.Spec.Destination = platformv1.BackupDestination{Filesystem: &platformv1.FilesystemDestination{Path: "/srv/backups"}}
	if np := BuildBackupEgressPolicy(folder, BackupJobOptions{}, ""); np != nil {
		t.Errorf("a folder destination without verification opens %+v", np.Spec.Egress)
	}
}
