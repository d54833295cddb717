package v1

// Tenant condition types: one per dependency, plus ConditionReady.
const (
	TenantNamespaceReady   = "NamespaceReady"
	TenantDatabaseReady    = "DatabaseReady"
	TenantRolesReady       = "RolesReady"
	TenantCredentialsReady = "CredentialsReady"
	TenantPublished        = "Published"
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
	// ReasonNotServable: the tenant is not ready, so its directory entry is withheld.
	ReasonNotServable = "NotServable"
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
