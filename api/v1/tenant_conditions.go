package v1

// Tenant condition types: one per dependency, plus ConditionReady.
const (
	TenantNamespaceReady   = "NamespaceReady"
	TenantDatabaseReady    = "DatabaseReady"
	TenantRolesReady       = "RolesReady"
	TenantCredentialsReady = "CredentialsReady"
	TenantPublished        = "Published"
	// TenantRestored: the backup of spec.database.restoreFrom is restored
	// into the database (only for tenants created from a backup).
	TenantRestored = "Restored"
)

// Tenant condition reasons.
const (
	// ReasonDatabaseUnreachable: the operator could not connect to the database server.
	ReasonDatabaseUnreachable = "DatabaseUnreachable"
	// ReasonClusterNotReady: the CloudNativePG Cluster or Database is not ready.
	ReasonClusterNotReady = "ClusterNotReady"
	// ReasonAdminSecretMissing: the external server's admin Secret is missing or incomplete.
	ReasonAdminSecretMissing = "AdminSecretMissing"
	// ReasonRoleDriftRepaired: a role or grant was changed by hand and put back.
	ReasonRoleDriftRepaired = "RoleDriftRepaired"
	// ReasonRotating: credentials are being rotated.
	ReasonRotating = "Rotating"
	// ReasonHostConflict: another tenant already serves one of the hosts.
	ReasonHostConflict = "HostConflict"
	// ReasonNotServable: the tenant has never been ready, so it has no directory entry yet.
	ReasonNotServable = "NotServable"
	// ReasonKeptLastEntry: a dependency failed after the tenant was published;
	// the LMS keeps serving the last good entry until it recovers.
	ReasonKeptLastEntry = "KeptLastEntry"
	// ReasonPoolerNotReady: the CloudNativePG Pooler in front of the database is not active.
	ReasonPoolerNotReady = "PoolerNotReady"
	// ReasonOIDCSecretMissing: spec.signIn.oidc.clientSecret names a Secret or key that does not exist.
	ReasonOIDCSecretMissing = "OIDCSecretMissing"
	// ReasonRosteringSecretMissing: spec.rostering.clientSecret names a Secret or key that does not exist.
	ReasonRosteringSecretMissing = "RosteringSecretMissing"
	// ReasonLMSNamespaceMissing: the namespace the directory is published in does not exist.
	ReasonLMSNamespaceMissing = "LMSNamespaceMissing"
	// ReasonNamespaceTerminating: the tenant namespace is being deleted.
	ReasonNamespaceTerminating = "NamespaceTerminating"
	// ReasonWaitingForSessions: deletion waits for the LMS's sessions on the database to end.
	ReasonWaitingForSessions = "WaitingForSessions"
	// ReasonRestoring: the restore Job is running.
	ReasonRestoring = "Restoring"
	// ReasonRestored: the backup is restored and matches its manifest.
	ReasonRestored = "Restored"
	// ReasonRestoreFailed: the restore Job failed; the message has the Job's reason and how to retry.
	ReasonRestoreFailed = "RestoreFailed"
	// ReasonRestoreSourceNotFound: the BackupPolicy of spec.database.restoreFrom does not exist.
	ReasonRestoreSourceNotFound = "RestoreSourceNotFound"
	// ReasonProvisioningFailed: a statement or write the operator needed failed; the message says which.
	ReasonProvisioningFailed = "ProvisioningFailed"
)

// Onboarding milestones, in the order a district usually reaches them.
const (
	OnboardingAdminInvited       = "AdminInvited"
	OnboardingAdminSignedIn      = "AdminSignedIn"
	OnboardingSchoolsSynced      = "SchoolsSynced"
	OnboardingRosterImported     = "RosterImported"
	OnboardingFirstCourse        = "FirstCourse"
	OnboardingFirstTeacherSignIn = "FirstTeacherSignIn"
	OnboardingBrandingSet        = "BrandingSet"
	OnboardingBackupsConfigured  = "BackupsConfigured"
	OnboardingAlertsConfigured   = "AlertsConfigured"
	OnboardingFirstGrade         = "FirstAssignmentGraded"
)

// OnboardingMilestones lists every milestone in checklist order.
var OnboardingMilestones = []string{
	OnboardingAdminInvited,
	OnboardingAdminSignedIn,
	OnboardingSchoolsSynced,
	OnboardingRosterImported,
	OnboardingFirstCourse,
	OnboardingFirstTeacherSignIn,
	OnboardingBrandingSet,
	OnboardingBackupsConfigured,
	OnboardingAlertsConfigured,
	OnboardingFirstGrade,
}

// TenantFinalizer guards a Tenant's database and directory entry: the
// operator removes it once the entry is withdrawn and the reclaim policy has
// been carried out.
const TenantFinalizer = "platform.bellwork.dev/tenant"
