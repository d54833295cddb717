package builders

import (
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// RestoreJobName and RestoreSourceSecret name what a tenant created from a
// backup (spec.database.restoreFrom) gets in its namespace: the Job that
// restores, and a copy of the source policy's storage credentials, which
// live in the source tenant's namespace where the Job cannot read them.
const (
	RestoreJobName      = "restore"
	RestoreSourceSecret = "restore-source"
	restoreBackupFlag   = "--backup="
)

// RestoreJobBackup is the backup id a restore Job restores, or "".
func RestoreJobBackup(j *batchv1.Job) string {
	for _, c := range j.Spec.Template.Spec.Containers {
		for _, a := range c.Args {
			if id, ok := strings.CutPrefix(a, restoreBackupFlag); ok {
				return id
			}
		}
	}
	return ""
}

// BuildRestoreSourceSecret copies the storage credentials of the source
// policy into the new tenant's namespace, or returns nil when the policy
// writes to a folder and has none.
func BuildRestoreSourceSecret(t *platformv1.Tenant, src *corev1.Secret) *corev1.Secret {
	if src == nil {
		return nil
	}
	s := &corev1.Secret{ObjectMeta: objectMeta(t, t.NamespaceName(), RestoreSourceSecret), Type: corev1.SecretTypeOpaque, Data: map[string][]byte{}}
	for _, k := range []string{"accessKeyID", "secretAccessKey"} {
		s.Data[k] = src.Data[k]
	}
	return s
}

// BuildRestoreJob runs `lms restore --owner-url` in the new tenant's
// namespace: the backup of t.Spec.Database.RestoreFrom, read from the
// source policy's destination, restored into the database the operator
// provisioned empty, as the tenant's owner role, and checked against its
// manifest as the tenant's backup role. No server admin is needed. It runs
// once (no retries): a failed restore is the platform engineer's to look
// at, and deleting the Job runs it again. backupID is the backup: the
// spec's, or the newest verified one the operator chose.
func BuildRestoreJob(t *platformv1.Tenant, source *platformv1.BackupPolicy, backupID string, o BackupJobOptions) *batchv1.Job {
	rf := t.Spec.Database.RestoreFrom
	if rf == nil || source == nil || backupID == "" {
		return nil
	}
	from := source.DeepCopy()
	if from.Spec.Destination.S3 != nil {
		from.Spec.Destination.S3.CredentialsSecret = RestoreSourceSecret
	}
	args := []string{"restore", "--tenant=" + rf.Tenant, restoreBackupFlag + backupID}
	c := backupContainerSpec(o.Image, args, from)
	c.Env = append(c.Env,
		secretEnv("RESTORE_OWNER_URL", CredentialOwner.SecretName(), KeyURI),
		secretEnv("RESTORE_CHECK_URL", CredentialBackup.SecretName(), KeyURI))
	podLabels := map[string]string{TenantLabel: t.Name, ComponentLabel: BackupComponent, NameLabel: "lms-restore"}
	if o.RunLocally {
		podLabels[RunLocallyLabel] = "true"
	}
	return &batchv1.Job{
		ObjectMeta: objectMeta(t, t.NamespaceName(), RestoreJobName),
		Spec: batchv1.JobSpec{
			BackoffLimit:          ptr.To[int32](0),
			ActiveDeadlineSeconds: ptr.To[int64](backupDeadline),
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: podLabels},
				Spec: corev1.PodSpec{
					RestartPolicy:                corev1.RestartPolicyNever,
					AutomountServiceAccountToken: ptr.To(false),
					Containers:                   []corev1.Container{c},
					SecurityContext: &corev1.PodSecurityContext{RunAsNonRoot: ptr.To(true),
						SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
					Volumes: append([]corev1.Volume{{Name: tmpVolume, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}, destinationVolumes(from)...),
				},
			},
		},
	}
}
