package builders

import (
	"strings"
	"testing"

	cnpgv1 "github.com/cloudnative-pg/api/pkg/api/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// A policy with spec.physical for a tenant on a dedicated cluster becomes a
// ScheduledBackup of that Cluster (CloudNativePG's six-field schedule) and
// a Barman configuration pointing at the policy's bucket; other tenants and
// folder destinations get neither and a reason.
func TestPhysicalBackup(t *testing.T) {
	tn := &platformv1.Tenant{ObjectMeta: metav1.ObjectMeta{Name: "lincoln"}}
	tn.Spec.Database.CloudNativePG = &platformv1.CloudNativePGDatabase{Dedicated: &platformv1.DedicatedCluster{Instances: 2}}
	p := samplePolicy()
	if BuildScheduledBackup(p, tn) != nil || BuildClusterBackup(p, tn) != nil || PhysicalBackupProblem(p, tn) != "" {
		t.Fatal("physical backups without spec.physical")
	}
	p.Spec.Physical = &platformv1.PhysicalBackup{}
	sb := BuildScheduledBackup(p, tn)
	if sb == nil {
		t.Fatal("no ScheduledBackup")
	}
	if sb.Spec.Schedule != "0 0 2 * * *" || sb.Spec.Cluster.Name != "postgres" || sb.Spec.Method != cnpgv1.BackupMethodBarmanObjectStore ||
		*sb.Spec.Suspend || sb.Spec.BackupOwnerReference != "self" || sb.Namespace != "tenant-lincoln" || sb.OwnerReferences[0].UID != p.UID {
		t.Errorf("ScheduledBackup = %+v", sb)
	}
	p.Spec.Physical.Schedule = "@hourly"
	if got := BuildScheduledBackup(p, tn).Spec.Schedule; got != "@hourly" {
		t.Errorf("schedule %q, want the macro as is", got)
	}
	b := BuildClusterBackup(p, tn)
	bo := b.BarmanObjectStore
	if b.RetentionPolicy != "30d" || bo.DestinationPath != "s3://backups/districts/lincoln/physical" || bo.EndpointURL != "http://127.0.0.1:19000" ||
		bo.AWS.AccessKeyIDReference.Name != "s3-creds" || bo.AWS.SecretAccessKeyReference.Key != "secretAccessKey" {
		t.Errorf("cluster backup = %+v, %+v", b, bo)
	}

	shared := &platformv1.Tenant{ObjectMeta: metav1.ObjectMeta{Name: "shared"}}
	shared.Spec.Database.CloudNativePG = &platformv1.CloudNativePGDatabase{ClusterRef: &platformv1.ClusterReference{Name: "pg", Namespace: "db"}}
	if BuildScheduledBackup(p, shared) != nil || !strings.Contains(PhysicalBackupProblem(p, shared), "dedicated CloudNativePG cluster") {
		t.Errorf("a shared-cluster tenant: %q", PhysicalBackupProblem(p, shared))
	}
	folder := samplePolicy()
	folder.Spec.Physical = &platformv1.PhysicalBackup{}
	folder.Spec.Destination = platformv1.BackupDestination{Filesystem: &platformv1.FilesystemDestination{Path: "/srv"}}
	if BuildClusterBackup(folder, tn) != nil || !strings.Contains(PhysicalBackupProblem(folder, tn), "needs an S3 destination") {
		t.Errorf("a folder destination: %q", PhysicalBackupProblem(folder, tn))
	}
}
