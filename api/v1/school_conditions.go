package v1

// School condition types, beside ConditionReady.
const (
	// SchoolPublished: the school is in its tenant's directory entry.
	SchoolPublished = "Published"
	// SchoolSynced: the LMS has stored this version of the school.
	SchoolSynced = "Synced"
)

// School condition reasons.
const (
	// ReasonTenantNotFound: spec.tenant names no Tenant.
	ReasonTenantNotFound = "TenantNotFound"
	// ReasonWrongNamespace: the School is not in its tenant's namespace.
	ReasonWrongNamespace = "WrongNamespace"
	// ReasonDuplicateCode: another School of the tenant already has this code.
	ReasonDuplicateCode = "DuplicateCode"
	// ReasonUnknownTimeZone: spec.timeZone is not in the time zone database.
	ReasonUnknownTimeZone = "UnknownTimeZone"
	// ReasonAwaitingLMS: published, not yet stored by the LMS.
	ReasonAwaitingLMS = "AwaitingLMS"
	// ReasonTenantNotReady: the School is valid but its Tenant is not Ready, so nothing is published.
	ReasonTenantNotReady = "TenantNotReady"
	// ReasonSynced: the LMS holds the published version of the school.
	ReasonSynced = "Synced"
	// ReasonPublished: the school is in its tenant's directory entry.
	ReasonPublished = "Published"
)

// SchoolFinalizer keeps a deleted School until the LMS has archived it (or
// its tenant is gone, or a bounded wait has passed).
const SchoolFinalizer = "platform.bellwork.dev/school"
