package controllers

import (
	"context"
	"slices"

	corev1 "k8s.io/api/core/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/alerting"
	"bellwork.dev/bellwork/internal/reconcile"
)

// writeStatus writes the pass's status onto the rule as the API server has
// it, which the kit skips when nothing changed (a steady alert between
// heartbeats), then announces the instances' state changes it recorded.
func (r *AlertRuleReconciler) writeStatus(ctx context.Context, p *alertPass) error {
	p.status.ObservedGeneration = p.rule.Generation
	written, err := reconcile.PatchStatus(ctx, r.Client, r.APIReader, p.rule, func(fresh *platformv1.AlertRule) {
		st := *p.status.DeepCopy()
		st.Conditions = slices.Clone(fresh.Status.Conditions)
		p.ConditionsOnto(&st.Conditions)
		fresh.Status = st
	})
	if err == nil && written {
		for _, t := range p.transitions {
			r.announce(p.rule, t)
		}
	}
	return err
}

// announce is the Event for one instance's change of state.
func (r *AlertRuleReconciler) announce(rule *platformv1.AlertRule, t alerting.Transition) {
	reason, typ := platformv1.EventAlertPending, corev1.EventTypeNormal
	switch t.To {
	case platformv1.AlertFiring:
		reason, typ = platformv1.EventAlertFiring, corev1.EventTypeWarning
	case platformv1.AlertResolved, platformv1.AlertInactive:
		reason = platformv1.EventAlertResolved
	}
	r.Events.Eventf(rule, typ, reason, "%s → %s {%s} value %s", t.From, t.To, t.Labels.Key(), t.Value)
}
