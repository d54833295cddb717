package builders

import (
	"fmt"
	"net/url"
	"strings"

	cnpgv1 "github.com/cloudnative-pg/api/pkg/api/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// ScheduledBackupName names a policy's CloudNativePG ScheduledBackup.
func ScheduledBackupName(p *platformv1.BackupPolicy) string { return p.Name + "-physical" }

// PhysicalBackupProblem says why a policy's spec.physical cannot be
// carried out for a tenant, or "" when it can (or is not asked for).
func PhysicalBackupProblem(p *platformv1.BackupPolicy, t *platformv1.Tenant) string {
	if p.Spec.Physical == nil {
		return ""
	}
	if TopologyOf(t, "").Provider != ProviderDedicated {
		return fmt.Sprintf("spec.physical needs a tenant on a dedicated CloudNativePG cluster; tenant %s is not", t.Name)
	}
	if p.Spec.Destination.S3 == nil {
		return "spec.physical needs an S3 destination: CloudNativePG archives to object storage, not to a folder"
	}
	return ""
}

// BuildScheduledBackup is CloudNativePG's ScheduledBackup of the tenant's
// dedicated Cluster on spec.physical's schedule, or nil when the policy
// asks for none or cannot have one (PhysicalBackupProblem).
func BuildScheduledBackup(p *platformv1.BackupPolicy, t *platformv1.Tenant) *cnpgv1.ScheduledBackup {
	if p.Spec.Physical == nil || PhysicalBackupProblem(p, t) != "" {
		return nil
	}
	gvk := platformv1.GroupVersion.WithKind("BackupPolicy")
	return &cnpgv1.ScheduledBackup{
		ObjectMeta: metav1.ObjectMeta{Name: ScheduledBackupName(p), Namespace: p.Namespace,
			Labels: map[string]string{ManagedByLabel: ManagedByValue, TenantLabel: t.Name, InstanceLabel: p.Name},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: gvk.GroupVersion().String(), Kind: gvk.Kind, Name: p.Name, UID: p.UID,
				Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true)}}},
		Spec: cnpgv1.ScheduledBackupSpec{
			Schedule:             withSeconds(physicalSchedule(p)),
			Suspend:              ptr.To(p.Spec.Suspend),
			Cluster:              cnpgv1.LocalObjectReference{Name: DedicatedClusterName},
			Method:               cnpgv1.BackupMethodBarmanObjectStore,
			BackupOwnerReference: "self",
		},
	}
}

func physicalSchedule(p *platformv1.BackupPolicy) string {
	if s := p.Spec.Physical.Schedule; s != "" {
		return string(s)
	}
	return string(p.Spec.Schedule)
}

// withSeconds turns a five-field cron expression into CloudNativePG's six
// fields (seconds first); macros such as @daily are the same in both.
func withSeconds(schedule string) string {
	if strings.HasPrefix(schedule, "@") {
		return schedule
	}
	return "0 " + schedule
}

// BuildClusterBackup is the backup configuration of the tenant's dedicated
// Cluster that spec.physical needs: base backups and WAL archived by
// Barman to the policy's bucket, under <prefix>/<tenant>/physical, with
// the policy's credentials Secret (in the same namespace). Nil when the
// policy asks for no physical backups or cannot have them.
func BuildClusterBackup(p *platformv1.BackupPolicy, t *platformv1.Tenant) *cnpgv1.BackupConfiguration {
	if p.Spec.Physical == nil || PhysicalBackupProblem(p, t) != "" {
		return nil
	}
	s3 := p.Spec.Destination.S3
	path := "s3://" + s3.Bucket + "/"
	if prefix := strings.Trim(s3.Prefix, "/"); prefix != "" {
		path += prefix + "/"
	}
	path += t.Name + "/physical"
	endpoint := s3.Endpoint
	if u, err := url.Parse(endpoint); err == nil {
		endpoint = u.Scheme + "://" + u.Host
	}
	secret := func(key string) *cnpgv1.SecretKeySelector {
		return &cnpgv1.SecretKeySelector{LocalObjectReference: cnpgv1.LocalObjectReference{Name: s3.CredentialsSecret}, Key: key}
	}
	retention := p.Spec.Physical.RetentionPolicy
	if retention == "" {
		retention = "30d"
	}
	return &cnpgv1.BackupConfiguration{
		RetentionPolicy: retention,
		BarmanObjectStore: &cnpgv1.BarmanObjectStoreConfiguration{
			DestinationPath: path,
			EndpointURL:     endpoint,
			BarmanCredentials: cnpgv1.BarmanCredentials{AWS: &cnpgv1.S3Credentials{
				AccessKeyIDReference:     secret("accessKeyID"),
				SecretAccessKeyReference: secret("secretAccessKey"),
			}},
		},
	}
}
