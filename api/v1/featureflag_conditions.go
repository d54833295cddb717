package v1

// FeatureFlag condition types, beside ConditionReady.
const (
	// FlagStale: the flag is past its expiry date and should be removed.
	FlagStale = "Stale"
)

// FeatureFlag condition reasons.
const (
	ReasonExpired    = "Expired"
	ReasonNotExpired = "NotExpired"
	ReasonNoExpiry   = "NoExpiry"
)
