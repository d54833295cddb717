package v1

import (
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TenantSpec describes a school district: where its database lives, who owns
// it, which host names serve its LMS and how it signs in.
type TenantSpec struct {
	// DisplayName is the district's name as people read it, for example
	// "Lincoln Unified School District".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=200
	DisplayName string `json:"displayName"`

	// Hosts are the host names on which the LMS serves this district, for
	// example "lincoln.bellwork.example". Each host may belong to one tenant only.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:items:MaxLength=253
	// +kubebuilder:validation:items:Pattern=`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$`
	// +listType=set
	Hosts []string `json:"hosts"`

	// TimeZone is the district's default IANA time zone; each School may set its own.
	// +kubebuilder:default="UTC"
	// +optional
	TimeZone TimeZone `json:"timeZone,omitempty"`

	// Database says where the district's Postgres database lives. Exactly one
	// provider is set: cloudNativePG or external.
	Database TenantDatabase `json:"database"`

	// Admins are the e-mail addresses of the district administrators. The LMS
	// invites each one; the first admin's sign-in link is written to a Secret in
	// the tenant namespace, named in status.adminInvitationSecret.
	// +kubebuilder:validation:MaxItems=50
	// +kubebuilder:validation:items:MaxLength=254
	// +kubebuilder:validation:XValidation:rule="self.all(a, a.matches('^[^@ ]+@[^@ ]+[.][^@ ]+$'))",message="every admin must be an e-mail address such as superintendent@district.org"
	// +listType=set
	// +optional
	Admins []string `json:"admins,omitempty"`

	// Owners are the people or groups (for example a district's IT team) who
	// may manage this tenant's Schools, FeatureFlags, BackupPolicies and
	// AlertRules in its namespace, and nothing else.
	// +kubebuilder:validation:MaxItems=50
	// +optional
	Owners []rbacv1.Subject `json:"owners,omitempty"`

	// Namespace sets the quota and default container limits of the tenant
	// namespace "tenant-<name>".
	// +optional
	Namespace TenantNamespace `json:"namespace,omitempty"`

	// SignIn configures how the district's users sign in to the LMS.
	// +optional
	SignIn TenantSignIn `json:"signIn,omitempty"`

	// Rostering is the district's OneRoster REST rostering service, which
	// district admins can sync the roster from (LMS Admin › Imports).
	// +optional
	Rostering *RosteringProvider `json:"rostering,omitempty"`

	// ReclaimPolicy says what happens to the database when the Tenant is
	// deleted. Retain (the default) keeps the database and its roles and only
	// stops serving the district; Delete drops them once the LMS has let go.
	// +kubebuilder:default=Retain
	// +optional
	ReclaimPolicy ReclaimPolicy `json:"reclaimPolicy,omitempty"`
}

// ReclaimPolicy says what happens to a Tenant's database when it is deleted.
// +kubebuilder:validation:Enum=Retain;Delete
type ReclaimPolicy string

const (
	// ReclaimRetain keeps the database and roles after the Tenant is deleted.
	ReclaimRetain ReclaimPolicy = "Retain"
	// ReclaimDelete drops the database and roles after the Tenant is deleted.
	ReclaimDelete ReclaimPolicy = "Delete"
)

// TenantDatabase chooses where a district's database lives.
// +kubebuilder:validation:XValidation:rule="has(self.cloudNativePG) != has(self.external)",message="set exactly one database provider: cloudNativePG or external"
// +kubebuilder:validation:XValidation:rule="has(self.name) == has(oldSelf.name)",message="database name cannot be added or removed after creation"
// +kubebuilder:validation:XValidation:rule="has(self.restoreFrom) == has(oldSelf.restoreFrom)",message="restoreFrom can be set only when the Tenant is created: restore a backup into a new Tenant"
// +kubebuilder:validation:XValidation:rule="has(self.external) == has(oldSelf.external)",message="cannot switch a district between an external server and CloudNativePG: migrate with a backup and restore into a new Tenant"
type TenantDatabase struct {
	// Name of the Postgres database. Defaults to "bw_<tenant name>" with dashes
	// replaced by underscores. It cannot change after creation.
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z_][a-z0-9_]*$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="database name is immutable: create a new Tenant to move a district to another database"
	// +optional
	Name string `json:"name,omitempty"`

	// CloudNativePG places the database on a CloudNativePG cluster: a shared
	// one (clusterRef) or one dedicated to this tenant (dedicated).
	// +optional
	CloudNativePG *CloudNativePGDatabase `json:"cloudNativePG,omitempty"`

	// External uses an existing Postgres server reached with an admin
	// connection kept in a Secret.
	// +optional
	External *ExternalDatabase `json:"external,omitempty"`

	// ConnectionLimit caps the connections of the LMS's app role.
	// +kubebuilder:default=50
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=10000
	// +optional
	ConnectionLimit int32 `json:"connectionLimit,omitempty"`

	// Credentials controls password generation and rotation.
	// +optional
	Credentials CredentialsPolicy `json:"credentials,omitempty"`

	// RestoreFrom creates the district from a backup (disaster recovery, or
	// moving a district): the operator provisions the database and roles as
	// for any tenant, then a Job restores the backup into the empty
	// database as the tenant's owner role and checks every table against
	// the backup's manifest. The directory entry is published only after
	// the restore succeeded (condition Restored). Set only at creation; it
	// cannot change.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="restoreFrom is immutable: restore a backup into a new Tenant"
	// +optional
	RestoreFrom *RestoreSource `json:"restoreFrom,omitempty"`
}

// RestoreSource names a backup of a district.
type RestoreSource struct {
	// Tenant is the district whose backup to restore: its name, under which
	// its backups are stored. It may be deleted already.
	// +kubebuilder:validation:MaxLength=50
	// +kubebuilder:validation:Pattern=`^[a-z]([a-z0-9-]*[a-z0-9])?$`
	Tenant string `json:"tenant"`

	// BackupPolicy is the policy, in namespace "tenant-<tenant>", whose
	// destination holds the backups; the restore Job reads the storage
	// settings and credentials from it.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	BackupPolicy string `json:"backupPolicy"`

	// Backup is the id of the backup (as `lms restore --list` shows it, for
	// example 20261128T020000Z-3fa9c1). Empty: the newest backup whose
	// latest verification passed.
	// +kubebuilder:validation:Pattern=`^[0-9]{8}T[0-9]{6}Z-[0-9a-f]+$`
	// +kubebuilder:validation:MaxLength=64
	// +optional
	Backup string `json:"backup,omitempty"`
}

// CloudNativePGDatabase places a tenant database on CloudNativePG.
// +kubebuilder:validation:XValidation:rule="has(self.clusterRef) != has(self.dedicated)",message="set exactly one of clusterRef (a shared cluster) or dedicated (a cluster of the tenant's own)"
// +kubebuilder:validation:XValidation:rule="has(self.clusterRef) == has(oldSelf.clusterRef)",message="cannot switch between a shared and a dedicated cluster: migrate with a backup and restore into a new Tenant"
type CloudNativePGDatabase struct {
	// ClusterRef names a shared CloudNativePG Cluster. The operator creates a
	// CloudNativePG Database on it and the roles by SQL through the cluster's
	// superuser Secret. It cannot change: moving a district to another cluster
	// is a backup and restore into a new Tenant.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="clusterRef is immutable: move a district to another cluster with a backup and restore into a new Tenant"
	// +optional
	ClusterRef *ClusterReference `json:"clusterRef,omitempty"`

	// Dedicated gives the tenant a CloudNativePG Cluster of its own in the
	// tenant namespace.
	// +optional
	Dedicated *DedicatedCluster `json:"dedicated,omitempty"`

	// Pooler puts a CloudNativePG Pooler (PgBouncer, transaction mode) in
	// front of the database.
	// +optional
	Pooler *PoolerSettings `json:"pooler,omitempty"`
}

// ClusterReference names a CloudNativePG Cluster in a namespace.
type ClusterReference struct {
	// Name of the Cluster.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	Name string `json:"name"`

	// Namespace of the Cluster.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	Namespace string `json:"namespace"`
}

// DedicatedCluster sizes a CloudNativePG Cluster created for one tenant.
type DedicatedCluster struct {
	// Instances is the number of Postgres instances (1 primary, the rest replicas).
	// +kubebuilder:default=2
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=9
	// +optional
	Instances int32 `json:"instances,omitempty"`

	// StorageSize is the volume size of each instance, for example "20Gi".
	// +kubebuilder:default="10Gi"
	// +optional
	StorageSize string `json:"storageSize,omitempty"`

	// ImageName overrides the Postgres container image CloudNativePG runs.
	// +optional
	ImageName string `json:"imageName,omitempty"`
}

// PoolerSettings configures a PgBouncer pooler in transaction mode.
type PoolerSettings struct {
	// Instances is the number of PgBouncer pods.
	// +kubebuilder:default=2
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=10
	// +optional
	Instances int32 `json:"instances,omitempty"`

	// DefaultPoolSize is PgBouncer's server connections per user and database.
	// +kubebuilder:default=20
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	// +optional
	DefaultPoolSize int32 `json:"defaultPoolSize,omitempty"`
}

// ExternalDatabase is an existing Postgres server.
type ExternalDatabase struct {
	// Host name or address of the server.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Host string `json:"host"`

	// Port of the server.
	// +kubebuilder:default=5432
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	// +optional
	Port int32 `json:"port,omitempty"`

	// AdminSecret names a Secret, in AdminSecretNamespace, with "username" and
	// "password" keys of a role that may create databases and roles.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	AdminSecret string `json:"adminSecret"`

	// AdminSecretNamespace is where AdminSecret lives; the operator's own
	// namespace when empty.
	// +kubebuilder:validation:MaxLength=63
	// +optional
	AdminSecretNamespace string `json:"adminSecretNamespace,omitempty"`

	// SSLMode is the libpq sslmode used for every connection.
	// +kubebuilder:default=prefer
	// +kubebuilder:validation:Enum=disable;allow;prefer;require;verify-ca;verify-full
	// +optional
	SSLMode string `json:"sslMode,omitempty"`
}

// CredentialsPolicy controls the generated role passwords.
type CredentialsPolicy struct {
	// RotationRequest rotates every role password when it changes: set it to
	// any new value (a date works well). The old password stays valid until
	// the LMS has picked up the new one.
	// +kubebuilder:validation:MaxLength=63
	// +optional
	RotationRequest string `json:"rotationRequest,omitempty"`

	// RotateEvery rotates passwords on a schedule, for example "2160h" (90
	// days). Zero or empty means only on request.
	// +optional
	RotateEvery *metav1.Duration `json:"rotateEvery,omitempty"`
}

// TenantNamespace sets the quota and default limits of a tenant namespace.
type TenantNamespace struct {
	// Quota is the namespace ResourceQuota's hard limits, for example
	// {"requests.cpu": "4", "requests.memory": "8Gi", "pods": "40"}.
	// +optional
	Quota corev1.ResourceList `json:"quota,omitempty"`

	// DefaultLimits are the container limits a LimitRange applies when a
	// container sets none.
	// +optional
	DefaultLimits corev1.ResourceList `json:"defaultLimits,omitempty"`

	// DefaultRequests are the container requests a LimitRange applies when a
	// container sets none.
	// +optional
	DefaultRequests corev1.ResourceList `json:"defaultRequests,omitempty"`
}

// TenantSignIn configures sign-in for a district.
type TenantSignIn struct {
	// PasswordsDisabled turns off e-mail and password sign-in, for districts
	// that sign in only through their identity provider.
	// +optional
	PasswordsDisabled bool `json:"passwordsDisabled,omitempty"`

	// OIDC lets users sign in through the district's OpenID Connect provider
	// (Google Workspace, Microsoft Entra ID, Clever, ...).
	// +optional
	OIDC *OIDCProvider `json:"oidc,omitempty"`
}

// RosteringProvider is a OneRoster REST rostering service and the
// district's credentials for it: OAuth 2.0 client credentials (the
// default), or an OAuth 1.0a consumer key and secret for 1.1 providers that
// sign requests that way.
// +kubebuilder:validation:XValidation:rule="(has(self.auth) && self.auth == 'oauth1') || has(self.tokenURL)",message="tokenURL is required with auth oauth2"
type RosteringProvider struct {
	// BaseURL is the service root; the LMS adds the /ims/oneroster/... paths.
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && (url(self).getScheme() == 'https' || url(self).getHostname() in ['localhost', '127.0.0.1'])",message="baseURL must be an https URL (http is allowed only for localhost)"
	BaseURL string `json:"baseURL"`

	// Version is the OneRoster version the service speaks.
	// +kubebuilder:validation:Enum="1.1";"1.2"
	Version string `json:"version"`

	// Auth is how requests are authorised: oauth2 (client credentials
	// grant at tokenURL) or oauth1 (OAuth 1.0a HMAC-SHA256 signatures with
	// clientID as the consumer key and clientSecret as its secret).
	// +kubebuilder:validation:Enum=oauth2;oauth1
	// +kubebuilder:default=oauth2
	// +optional
	Auth string `json:"auth,omitempty"`

	// TokenURL is the OAuth 2.0 token endpoint; required with oauth2.
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && (url(self).getScheme() == 'https' || url(self).getHostname() in ['localhost', '127.0.0.1'])",message="tokenURL must be an https URL (http is allowed only for localhost)"
	// +optional
	TokenURL string `json:"tokenURL,omitempty"`

	// ClientID is the OAuth client id (oauth1: consumer key) the provider issued to the district.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=512
	ClientID string `json:"clientID"`

	// ClientSecret is the key of a Secret in the tenant namespace holding the
	// OAuth client secret.
	ClientSecret SecretKeyReference `json:"clientSecret"`

	// Scope overrides the version's roster-core read-only scope.
	// +kubebuilder:validation:MaxLength=1024
	// +optional
	Scope string `json:"scope,omitempty"`
}

// OIDCProvider is an OpenID Connect identity provider.
// +kubebuilder:validation:XValidation:rule="!has(self.allowUnverifiedEmail) || !self.allowUnverifiedEmail || (has(self.allowedDomains) && size(self.allowedDomains) > 0)",message="allowUnverifiedEmail needs allowedDomains: list the district's own domains, so an address the provider does not vouch for is at least one of them"
type OIDCProvider struct {
	// DisplayName labels the sign-in button, for example "Google".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=60
	DisplayName string `json:"displayName"`

	// IssuerURL is the provider's issuer, for example https://accounts.google.com.
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && (url(self).getScheme() == 'https' || url(self).getHostname() in ['localhost', '127.0.0.1'])",message="issuerURL must be an https URL (http is allowed only for localhost)"
	IssuerURL string `json:"issuerURL"`

	// ClientID is the OAuth client id registered with the provider.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=512
	ClientID string `json:"clientID"`

	// ClientSecret is the key of a Secret in the tenant namespace holding the
	// OAuth client secret.
	ClientSecret SecretKeyReference `json:"clientSecret"`

	// AllowedDomains restricts sign-in to e-mail addresses of these domains.
	// +kubebuilder:validation:MaxItems=20
	// +listType=set
	// +optional
	AllowedDomains []string `json:"allowedDomains,omitempty"`

	// AllowUnverifiedEmail accepts ID tokens without email_verified: true.
	// By default the LMS refuses them, because a provider that does not vouch
	// for an address may let its users claim any, a district admin's
	// included. Set it only for a provider that never sends the claim and
	// whose accounts' addresses the district controls (Microsoft Entra ID
	// with the district's verified domains in allowedDomains); it needs
	// allowedDomains.
	// +optional
	AllowUnverifiedEmail bool `json:"allowUnverifiedEmail,omitempty"`
}

// TenantStatus is what the operator observed of a district.
type TenantStatus struct {
	// ObservedGeneration is the spec generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Phase summarises the tenant: Provisioning, Ready, Degraded or Deleting.
	// +optional
	Phase Phase `json:"phase,omitempty"`

	// Conditions, one per dependency: NamespaceReady, DatabaseReady,
	// RolesReady, CredentialsReady, Restored (with restoreFrom only) and
	// Published, plus Ready.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// Namespace is the tenant namespace, "tenant-<name>".
	// +optional
	Namespace string `json:"namespace,omitempty"`

	// Database is where the tenant database was provisioned.
	// +optional
	Database *DatabaseStatus `json:"database,omitempty"`

	// Schools is the number of Schools published for this tenant.
	// +optional
	Schools int32 `json:"schools,omitempty"`

	// DirectorySecret is the directory entry published for the LMS, as
	// "<namespace>/<name>".
	// +optional
	DirectorySecret string `json:"directorySecret,omitempty"`

	// DirectoryHash is a digest of the published directory entry.
	// +optional
	DirectoryHash string `json:"directoryHash,omitempty"`

	// AdminInvitationSecret names the Secret in the tenant namespace holding
	// the first admin's one-time sign-in link.
	// +optional
	AdminInvitationSecret string `json:"adminInvitationSecret,omitempty"`

	// Credentials records the last password rotation.
	// +optional
	Credentials *CredentialsStatus `json:"credentials,omitempty"`

	// Onboarding is the district's progress from provisioning to first grade.
	// +listType=map
	// +listMapKey=name
	// +optional
	Onboarding []OnboardingStep `json:"onboarding,omitempty"`

	// OnboardingProgress is Onboarding summarised as "done/total".
	// +optional
	OnboardingProgress string `json:"onboardingProgress,omitempty"`

	// ProvisionedTime is when the tenant first became Ready. From then on a
	// tenant that is not Ready is Degraded rather than Provisioning, a
	// NotReady Event is sent for every new reason, and what the operator
	// finds changed by hand in the database is reported as drift.
	// +optional
	ProvisionedTime *metav1.Time `json:"provisionedTime,omitempty"`

	// AppliedGeneration is the spec generation last applied to the database
	// in full: roles, the database, grants and passwords. A difference found
	// there while the spec is still at this generation was made by hand and
	// is repaired with a RoleDriftRepaired Event; one found under a newer
	// spec is that spec's change.
	// +optional
	AppliedGeneration int64 `json:"appliedGeneration,omitempty"`

	// Restore is the restore from spec.database.restoreFrom.
	// +optional
	Restore *RestoreStatus `json:"restore,omitempty"`

	// AnnouncedNotReady is the NotReady Event the operator last sent, until
	// a Recovered Event answers it when the tenant is Ready again. It is kept
	// here so that an operator restarted, or a new leader, sends each of them
	// exactly once.
	// +optional
	AnnouncedNotReady *Announcement `json:"announcedNotReady,omitempty"`
}

// RestoreStatus records a tenant's restore from a backup.
type RestoreStatus struct {
	// Job is the restore Job in the tenant namespace.
	Job string `json:"job"`

	// Backup is the id of the backup restored: the one restoreFrom names,
	// or the newest verified one, chosen when the restore Job was made.
	Backup string `json:"backup"`

	// CompletionTime is when the restore succeeded.
	// +optional
	CompletionTime *metav1.Time `json:"completionTime,omitempty"`
}

// Announcement records an Event the operator sent about a condition.
type Announcement struct {
	// Reason of the condition the Event announced, for example AdminSecretMissing.
	Reason string `json:"reason"`

	// Time the Event was sent.
	Time metav1.Time `json:"time"`
}

// DatabaseStatus describes a provisioned tenant database.
type DatabaseStatus struct {
	// Provider that holds the database: CloudNativePG, CloudNativePGDedicated or External.
	Provider string `json:"provider"`

	// Name of the database.
	Name string `json:"name"`

	// Endpoint is host:port that the LMS connects to (the pooler when there is one).
	// +optional
	Endpoint string `json:"endpoint,omitempty"`

	// CredentialsSecrets names the Secrets in the tenant namespace holding each role's credentials.
	// +optional
	CredentialsSecrets map[string]string `json:"credentialsSecrets,omitempty"`
}

// CredentialsStatus records password rotation.
type CredentialsStatus struct {
	// LastRotationTime is when passwords were last generated.
	// +optional
	LastRotationTime *metav1.Time `json:"lastRotationTime,omitempty"`

	// ObservedRotationRequest is the spec.database.credentials.rotationRequest
	// last acted on.
	// +optional
	ObservedRotationRequest string `json:"observedRotationRequest,omitempty"`

	// ActiveAppLogin is the app login ("<db>_app_blue" or "<db>_app_green")
	// published in the directory and in the db-app Secret.
	// +optional
	ActiveAppLogin string `json:"activeAppLogin,omitempty"`

	// RetiringAppLogin is the app login that was active before the last
	// rotation. Its password keeps working until RetireAfter, so the LMS can
	// pick up the new one; then it is replaced by an unknown one.
	// +optional
	RetiringAppLogin string `json:"retiringAppLogin,omitempty"`

	// RetireAfter is when RetiringAppLogin stops accepting its password.
	// +optional
	RetireAfter *metav1.Time `json:"retireAfter,omitempty"`
}

// OnboardingStep is one milestone of a district's onboarding checklist.
type OnboardingStep struct {
	// Name of the milestone, for example "AdminInvited" or "RosterImported".
	Name string `json:"name"`

	// Done is true once the milestone is reached.
	Done bool `json:"done"`

	// Time the milestone was first seen reached.
	// +optional
	Time *metav1.Time `json:"time,omitempty"`
}

// Tenant is a school district: a namespace, a Postgres database with
// row-level-security roles, credentials and a directory entry that the LMS
// serves.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,categories=bellwork
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Database",type=string,JSONPath=`.status.database.name`
// +kubebuilder:printcolumn:name="Schools",type=integer,JSONPath=`.status.schools`
// +kubebuilder:printcolumn:name="Onboarding",type=string,JSONPath=`.status.onboardingProgress`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:validation:XValidation:rule="self.metadata.name.size() <= 50 && self.metadata.name.matches('^[a-z]([a-z0-9-]*[a-z0-9])?$')",message="tenant name must be at most 50 lowercase letters, digits and dashes, starting with a letter: it becomes the namespace tenant-<name>"
type Tenant struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the district as the platform engineer wants it.
	Spec TenantSpec `json:"spec"`

	// Status is what the operator observed.
	// +optional
	Status TenantStatus `json:"status,omitempty"`
}

// TenantList is a list of Tenants.
//
// +kubebuilder:object:root=true
type TenantList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Tenant `json:"items"`
}

func init() {
	SchemeBuilder.Register(&Tenant{}, &TenantList{})
}
