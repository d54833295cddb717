package admission

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/alerting/promeval"
)

// AlertRuleValidator refuses at admission what the schema cannot see: a
// PromQL expression that does not parse (with the parser's message, which
// says where) and a silence whose regular expression does not compile. The
// AlertRule controller stays the backstop (health Error, reason
// InvalidExpression) when the webhook is not reached.
type AlertRuleValidator struct{}

var _ admission.Validator[*platformv1.AlertRule] = AlertRuleValidator{}

// ValidateCreate checks a new rule.
func (AlertRuleValidator) ValidateCreate(_ context.Context, r *platformv1.AlertRule) (admission.Warnings, error) {
	return nil, validateAlertRule(r)
}

// ValidateUpdate checks a changed rule; one being deleted is left alone.
func (AlertRuleValidator) ValidateUpdate(_ context.Context, _, r *platformv1.AlertRule) (admission.Warnings, error) {
	if !r.DeletionTimestamp.IsZero() {
		return nil, nil
	}
	return nil, validateAlertRule(r)
}

// ValidateDelete allows every deletion.
func (AlertRuleValidator) ValidateDelete(context.Context, *platformv1.AlertRule) (admission.Warnings, error) {
	return nil, nil
}

func validateAlertRule(r *platformv1.AlertRule) error {
	var errs []error
	if r.Spec.Expr != "" {
		if err := promeval.Parse(r.Spec.Expr); err != nil {
			errs = append(errs, fmt.Errorf("spec.expr is not valid PromQL: %w", err))
		}
	}
	for i, s := range r.Spec.Silences {
		for j, m := range s.Matchers {
			if m.Operator != platformv1.MatchRegexp && m.Operator != platformv1.MatchNotRegexp {
				continue
			}
			if _, err := regexp.Compile("^(?:" + m.Value + ")$"); err != nil {
				errs = append(errs, fmt.Errorf("spec.silences[%d].matchers[%d].value is not a regular expression: %w", i, j, err))
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("alert rule %s: %w", r.Name, errors.Join(errs...))
}
