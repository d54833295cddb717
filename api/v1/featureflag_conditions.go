package v1

// FeatureFlag condition types, beside ConditionReady.
const (
	// FlagValid: the flag passes every check of the evaluator.
	FlagValid = "Valid"
	// FlagPublished: every affected tenant's entry carries this version.
	FlagPublished = "Published"
	// FlagExpiring: the expiry date is near.
	FlagExpiring = "Expiring"
	// FlagStale: the flag is past its expiry date and should be removed.
	FlagStale = "Stale"
)

// FeatureFlag condition reasons.
const (
	ReasonExpired       = "Expired"
	ReasonExpiresSoon   = "ExpiresSoon"
	ReasonNotExpired    = "NotExpired"
	ReasonNoExpiry      = "NoExpiry"
	ReasonInvalidFlag   = "InvalidFlag"
	ReasonDefaultOnly   = "DefaultOnly"
	ReasonAwaitingEntry = "AwaitingEntry"
	ReasonNoTenants     = "NoTenants"
)
