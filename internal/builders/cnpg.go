package builders

import (
	"strconv"

	cnpgv1 "github.com/cloudnative-pg/api/pkg/api/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/pgadmin"
)

// BuildCNPGDatabase is the CloudNativePG Database creating the tenant
// database on a shared cluster, owned by the tenant's owner role; nil for
// other providers. Its reclaim policy follows the Tenant's.
func BuildCNPGDatabase(t *platformv1.Tenant, top Topology, n pgadmin.Names) *cnpgv1.Database {
	if top.Provider != ProviderCloudNativePG {
		return nil
	}
	reclaim := cnpgv1.DatabaseReclaimRetain
	if t.EffectiveReclaimPolicy() == platformv1.ReclaimDelete {
		reclaim = cnpgv1.DatabaseReclaimDelete
	}
	return &cnpgv1.Database{
		ObjectMeta: objectMeta(t, top.Cluster.Namespace, CNPGDatabaseName(t)),
		Spec: cnpgv1.DatabaseSpec{
			ClusterRef:    corev1.LocalObjectReference{Name: top.Cluster.Name},
			Ensure:        cnpgv1.EnsurePresent,
			Name:          n.Database,
			Owner:         n.Owner,
			ReclaimPolicy: reclaim,
		},
	}
}

// BuildCNPGCluster is a dedicated tenant's CloudNativePG Cluster; nil for
// other providers. It has no owner reference: with reclaimPolicy Retain it
// must outlive the Tenant, and the operator deletes it itself otherwise.
func BuildCNPGCluster(t *platformv1.Tenant, top Topology, n pgadmin.Names) *cnpgv1.Cluster {
	if top.Provider != ProviderDedicated {
		return nil
	}
	d := t.Spec.Database.CloudNativePG.Dedicated
	instances := int(d.Instances)
	if instances == 0 {
		instances = 2
	}
	size := d.StorageSize
	if size == "" {
		size = "10Gi"
	}
	return &cnpgv1.Cluster{
		ObjectMeta: metav1.ObjectMeta{Name: top.Cluster.Name, Namespace: top.Cluster.Namespace, Labels: Labels(t)},
		Spec: cnpgv1.ClusterSpec{
			Instances:             instances,
			ImageName:             d.ImageName,
			EnableSuperuserAccess: ptr.To(true),
			StorageConfiguration:  cnpgv1.StorageConfiguration{Size: size},
			Bootstrap: &cnpgv1.BootstrapConfiguration{InitDB: &cnpgv1.BootstrapInitDB{
				Database: n.Database,
				Owner:    n.Owner,
			}},
		},
	}
}

// BuildPooler is the tenant's PgBouncer in transaction mode in front of the
// cluster's primary, or nil when spec.database.cloudNativePG.pooler is unset.
func BuildPooler(t *platformv1.Tenant, top Topology) *cnpgv1.Pooler {
	if top.Pooler.Name == "" {
		return nil
	}
	p := t.Spec.Database.CloudNativePG.Pooler
	instances, poolSize := p.Instances, p.DefaultPoolSize
	if instances == 0 {
		instances = 2
	}
	if poolSize == 0 {
		poolSize = 20
	}
	return &cnpgv1.Pooler{
		ObjectMeta: objectMeta(t, top.Pooler.Namespace, top.Pooler.Name),
		Spec: cnpgv1.PoolerSpec{
			Cluster:   cnpgv1.LocalObjectReference{Name: top.Cluster.Name},
			Type:      cnpgv1.PoolerTypeRW,
			Instances: ptr.To(instances),
			PgBouncer: &cnpgv1.PgBouncerSpec{
				PoolMode:   cnpgv1.PgBouncerPoolModeTransaction,
				Parameters: map[string]string{"default_pool_size": strconv.Itoa(int(poolSize))},
			},
		},
	}
}
