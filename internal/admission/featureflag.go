package admission

import (
	"context"
	"fmt"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
)

// FeatureFlagValidator refuses at admission, so `kubectl apply` fails with
// what to fix, a flag the evaluator would refuse: what the schema's rules
// cannot see (a variant listed twice in a rollout, an override of a variant
// that does not exist in a map the schema cannot walk, a variant value that
// is not JSON). The FeatureFlag controller stays the backstop.
type FeatureFlagValidator struct{}

var _ admission.Validator[*platformv1.FeatureFlag] = FeatureFlagValidator{}

// ValidateCreate checks a new flag.
func (FeatureFlagValidator) ValidateCreate(_ context.Context, ff *platformv1.FeatureFlag) (admission.Warnings, error) {
	return check(ff)
}

// ValidateUpdate checks a changed flag; one being deleted is left alone.
func (FeatureFlagValidator) ValidateUpdate(_ context.Context, _, ff *platformv1.FeatureFlag) (admission.Warnings, error) {
	if !ff.DeletionTimestamp.IsZero() {
		return nil, nil
	}
	return check(ff)
}

// ValidateDelete allows every deletion.
func (FeatureFlagValidator) ValidateDelete(context.Context, *platformv1.FeatureFlag) (admission.Warnings, error) {
	return nil, nil
}

func check(ff *platformv1.FeatureFlag) (admission.Warnings, error) {
	f := builders.FlagOf(&ff.Spec)
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("feature flag %s: %s", ff.Name, strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	return nil, nil
}
