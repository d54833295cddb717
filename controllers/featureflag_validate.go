package controllers

import (
	"context"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
)

// validate runs the evaluator's checks. The admission webhook refuses a flag
// that fails them, so an invalid flag here got in while the webhook was
// down; the Tenant controller then publishes its default alone, or nothing,
// and this condition says which and why.
func (r *FeatureFlagReconciler) validate(_ context.Context, p *flagPass) error {
	p.usable, p.verdict = builders.UsableFlag(p.flag)
	switch {
	case p.verdict.Problem == "":
		p.Condition(platformv1.FlagValid, true, platformv1.ReasonReconciled, "The flag passes every check")
	case p.verdict.Published:
		p.Condition(platformv1.FlagValid, false, platformv1.ReasonDefaultOnly, "Tenants get the default variant %q only: %s",
			p.flag.Spec.DefaultVariant, p.verdict.Problem)
	default:
		p.Condition(platformv1.FlagValid, false, platformv1.ReasonInvalidFlag, "Tenants do not get this flag, so the LMS uses its own default: %s",
			p.verdict.Problem)
	}
	return nil
}
