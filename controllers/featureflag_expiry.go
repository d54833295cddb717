package controllers

import (
	"context"
	"time"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// checkExpiry marks a flag Expiring in the weeks before its expiry date and
// Stale after it. Either way the flag keeps working: expiry reminds people
// to remove it and the code that reads it, it never switches a feature.
func (r *FeatureFlagReconciler) checkExpiry(_ context.Context, p *flagPass) error {
	exp := p.flag.Spec.Expires
	if exp == nil || *exp == "" {
		p.Condition(platformv1.FlagExpiring, false, platformv1.ReasonNoExpiry, "The flag has no expiry date")
		p.Condition(platformv1.FlagStale, false, platformv1.ReasonNoExpiry, "The flag has no expiry date")
		return nil
	}
	// The expiry date ends at midnight UTC: the flag expires when the day is over.
	day, err := time.Parse(time.DateOnly, string(*exp))
	if err != nil {
		// The API server checks the format; a date it let through is kept as is.
		p.Condition(platformv1.FlagStale, false, platformv1.ReasonInvalidSpec, "expires %q is not a date (YYYY-MM-DD)", *exp)
		return nil
	}
	end := day.AddDate(0, 0, 1)
	warn := end.Add(-r.Options.ExpiryWarning)
	switch {
	case !p.Now.Before(end):
		p.Condition(platformv1.FlagExpiring, false, platformv1.ReasonExpired, "Expired on %s", *exp)
		p.Condition(platformv1.FlagStale, true, platformv1.ReasonExpired,
			"Expired on %s: the flag still works; remove it and the code that reads it", *exp)
	case !p.Now.Before(warn):
		p.Condition(platformv1.FlagExpiring, true, platformv1.ReasonExpiresSoon,
			"Expires on %s: plan its removal", *exp)
		p.Condition(platformv1.FlagStale, false, platformv1.ReasonNotExpired, "Expires on %s", *exp)
		p.WakeIn(end.Sub(p.Now))
	default:
		p.Condition(platformv1.FlagExpiring, false, platformv1.ReasonNotExpired, "Expires on %s", *exp)
		p.Condition(platformv1.FlagStale, false, platformv1.ReasonNotExpired, "Expires on %s", *exp)
		p.WakeIn(warn.Sub(p.Now))
	}
	return nil
}
