package builders

import (
	"fmt"

	cnpgv1 "github.com/cloudnative-pg/api/pkg/api/v1"
	"k8s.io/apimachinery/pkg/types"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// Providers, as status.database.provider names them.
const (
	ProviderExternal      = "External"
	ProviderCloudNativePG = "CloudNativePG"
	ProviderDedicated     = "CloudNativePGDedicated"
)

// DedicatedClusterName is the CloudNativePG Cluster of a dedicated tenant,
// in the tenant namespace.
const DedicatedClusterName = "postgres"

// postgresPort is the port CloudNativePG's services and poolers listen on.
const postgresPort = 5432

// Topology is where a tenant's database lives and how it is reached.
type Topology struct {
	// Provider is ProviderExternal, ProviderCloudNativePG or ProviderDedicated.
	Provider string

	// DirectHost and DirectPort reach the Postgres server itself: migrations,
	// the owner, readonly and backup roles, and the operator.
	DirectHost string
	DirectPort int

	// Host and Port are what the LMS uses for requests: the pooler's Service
	// when there is one, the server otherwise.
	Host string
	Port int

	// SSLMode is the libpq sslmode published to the LMS.
	SSLMode string

	// AdminSecret holds the "username" and "password" the operator
	// provisions with: the external admin, or the CloudNativePG superuser
	// (the default name; a Cluster's spec.superuserSecret takes precedence).
	AdminSecret types.NamespacedName

	// Cluster is the CloudNativePG Cluster; empty for external servers.
	Cluster types.NamespacedName

	// Pooler is the CloudNativePG Pooler; empty when none is wanted.
	Pooler types.NamespacedName

	// SQLCreatesDatabase is true when the operator runs CREATE DATABASE
	// itself; on a shared CloudNativePG cluster a Database object does it.
	SQLCreatesDatabase bool
}

// TopologyOf reads a tenant's spec. operatorNamespace is where an external
// admin Secret lives when the spec names no namespace.
func TopologyOf(t *platformv1.Tenant, operatorNamespace string) Topology {
	db := t.Spec.Database
	switch {
	case db.External != nil:
		ns := db.External.AdminSecretNamespace
		if ns == "" {
			ns = operatorNamespace
		}
		port := int(db.External.Port)
		if port == 0 {
			port = postgresPort
		}
		ssl := db.External.SSLMode
		if ssl == "" {
			ssl = "prefer"
		}
		return Topology{
			Provider:   ProviderExternal,
			DirectHost: db.External.Host, DirectPort: port,
			Host: db.External.Host, Port: port,
			SSLMode:            ssl,
			AdminSecret:        types.NamespacedName{Namespace: ns, Name: db.External.AdminSecret},
			SQLCreatesDatabase: true,
		}
	case db.CloudNativePG != nil:
		c := db.CloudNativePG
		var cluster types.NamespacedName
		if c.Dedicated != nil {
			cluster = types.NamespacedName{Namespace: t.NamespaceName(), Name: DedicatedClusterName}
		} else if c.ClusterRef != nil {
			cluster = types.NamespacedName{Namespace: c.ClusterRef.Namespace, Name: c.ClusterRef.Name}
		}
		top := ClusterTopology(cluster)
		if c.Dedicated != nil {
			top.Provider = ProviderDedicated
			top.SQLCreatesDatabase = true
		}
		if c.Pooler != nil {
			top.Pooler = types.NamespacedName{Namespace: top.Cluster.Namespace, Name: PoolerName(t)}
			top.Host = ServiceHost(top.Pooler.Name, top.Pooler.Namespace)
		}
		return top
	}
	return Topology{}
}

// ClusterTopology reaches a CloudNativePG Cluster's primary through its -rw
// Service, as its superuser (the default Secret name), with no pooler.
func ClusterTopology(cluster types.NamespacedName) Topology {
	top := Topology{Provider: ProviderCloudNativePG, SSLMode: "require", Cluster: cluster}
	top.AdminSecret = types.NamespacedName{Namespace: cluster.Namespace, Name: cluster.Name + cnpgv1.SuperUserSecretSuffix}
	top.DirectHost = ServiceHost(cluster.Name+cnpgv1.ServiceReadWriteSuffix, cluster.Namespace)
	top.DirectPort = postgresPort
	top.Host, top.Port = top.DirectHost, top.DirectPort
	return top
}

// ServiceHost is a Service's in-cluster host name.
func ServiceHost(name, namespace string) string {
	return fmt.Sprintf("%s.%s.svc", name, namespace)
}

// PoolerName is the tenant's CloudNativePG Pooler (and its Service).
func PoolerName(t *platformv1.Tenant) string { return "pooler-" + t.Name }

// CNPGDatabaseName is the tenant's CloudNativePG Database object on a shared cluster.
func CNPGDatabaseName(t *platformv1.Tenant) string { return platformv1.TenantNamespacePrefix + t.Name }
