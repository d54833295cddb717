package controllers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	cnpgv1 "github.com/cloudnative-pg/api/pkg/api/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/controllers"
)

// A policy with spec.physical for a tenant on a dedicated cluster points the
// Cluster's Barman backups at the policy's bucket and creates a
// CloudNativePG ScheduledBackup; the Backups CloudNativePG makes are
// reported in the policy's status (PhysicalBackupSucceeded). A tenant on
// an external server is told it cannot have them.
func TestBackupPolicyPhysicalBackupsOnADedicatedCluster(t *testing.T) {
	ctx := context.Background()
	fakeCNPG(t)
	startManager(t, func(o *controllers.Options) {
		o.HostOverrides = map[string]string{"postgres-rw.tenant-bkphys.svc:5432": pgAddress()}
		o.BackupPolicy = controllers.BackupPolicyOptions{Image: "lms:test"}
	})
	tn := cnpgTenant("bkphys", nil)
	tn.Spec.Database.CloudNativePG = &platformv1.CloudNativePGDatabase{Dedicated: &platformv1.DedicatedCluster{Instances: 1}}
	create(t, tn, externalTenant("bkphysext"))
	defer deleteTenant(t, "bkphys") // while this manager can reach its database; later tests count every tenant
	waitTenant(t, "bkphys", metav1.ConditionTrue, 60*time.Second)
	ns := platformv1.TenantNamespacePrefix + "bkphys"
	bp := backupPolicy(ns)
	bp.Spec.Physical = &platformv1.PhysicalBackup{Schedule: "0 4 * * *"}
	ext := backupPolicy(platformv1.TenantNamespacePrefix + "bkphysext")
	ext.Spec.Physical = &platformv1.PhysicalBackup{}
	ensureNamespace(t, ext.Namespace)
	create(t, bp, ext)

	sb := &cnpgv1.ScheduledBackup{}
	eventually(t, 30*time.Second, func() (bool, string) {
		err := env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "nightly-physical"}, sb)
		return err == nil, fmt.Sprint(err)
	})
	if sb.Spec.Schedule != "0 0 4 * * *" || sb.Spec.Cluster.Name != "postgres" || sb.Spec.Method != cnpgv1.BackupMethodBarmanObjectStore {
		t.Errorf("ScheduledBackup spec = %+v", sb.Spec)
	}
	cl := &cnpgv1.Cluster{}
	eventually(t, 30*time.Second, func() (bool, string) {
		if err := env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "postgres"}, cl); err != nil {
			return false, err.Error()
		}
		b := cl.Spec.Backup
		return b != nil && b.BarmanObjectStore != nil && b.BarmanObjectStore.DestinationPath == "s3://backups/bkphys/physical" &&
				b.BarmanObjectStore.EndpointURL == "http://127.0.0.1:19000" && b.BarmanObjectStore.AWS.AccessKeyIDReference.Name == "s3-creds",
			fmt.Sprintf("%+v", b)
	})
	policyStatus := func(bp *platformv1.BackupPolicy) (platformv1.BackupPolicyStatus, *metav1.Condition) {
		got := &platformv1.BackupPolicy{}
		if err := env.Client.Get(ctx, client.ObjectKeyFromObject(bp), got); err != nil {
			t.Fatal(err)
		}
		return got.Status, meta.FindStatusCondition(got.Status.Conditions, platformv1.PhysicalBackupSucceeded)
	}
	eventually(t, 30*time.Second, func() (bool, string) {
		st, c := policyStatus(bp)
		return c != nil && c.Reason == platformv1.ReasonNoBackupYet && st.Physical != nil && st.Physical.ScheduledBackup == "nightly-physical", fmt.Sprintf("%+v %+v", c, st.Physical)
	})
	eventually(t, 30*time.Second, func() (bool, string) {
		_, c := policyStatus(ext)
		return c != nil && c.Status == metav1.ConditionFalse && c.Reason == platformv1.ReasonNotDedicated &&
			strings.Contains(c.Message, "dedicated CloudNativePG cluster"), fmt.Sprintf("%+v", c)
	})

	// CloudNativePG's Backups, as it makes and finishes them.
	physical := func(name string, phase cnpgv1.BackupPhase, errText string) {
		t.Helper()
		b := &cnpgv1.Backup{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{"cnpg.io/scheduled-backup": "nightly-physical"}},
			Spec: cnpgv1.BackupSpec{Cluster: cnpgv1.LocalObjectReference{Name: "postgres"}, Method: cnpgv1.BackupMethodBarmanObjectStore}}
		create(t, b)
		now := metav1.Now()
		b.Status.Phase, b.Status.StartedAt, b.Status.StoppedAt, b.Status.Error = phase, &now, &now, errText
		if err := env.Client.Status().Update(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	physical("nightly-physical-20261128040000", cnpgv1.BackupPhaseCompleted, "")
	eventually(t, 90*time.Second, func() (bool, string) {
		st, c := policyStatus(bp)
		return c != nil && c.Status == metav1.ConditionTrue && st.Physical.LastBackup != nil &&
			st.Physical.LastBackup.Name == "nightly-physical-20261128040000" && st.Physical.LastBackup.Succeeded, fmt.Sprintf("%+v %+v", c, st.Physical)
	})
	time.Sleep(1100 * time.Millisecond) // a newer creation time (whole seconds)
	physical("nightly-physical-20261129040000", cnpgv1.BackupPhaseFailed, "barman-cloud-backup: could not connect to the endpoint")
	eventually(t, 90*time.Second, func() (bool, string) {
		st, c := policyStatus(bp)
		return c != nil && c.Status == metav1.ConditionFalse && c.Reason == platformv1.ReasonPhysicalFailed &&
			strings.Contains(c.Message, "could not connect to the endpoint") && st.Physical.LastBackup.Name == "nightly-physical-20261129040000" &&
			!st.Physical.LastBackup.Succeeded, fmt.Sprintf("%+v %+v", c, st.Physical)
	})
}
