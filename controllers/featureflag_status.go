package controllers

import (
	"context"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/reconcile"
)

// writeStatus sums the conditions up into Ready, writes the pass's status
// onto the flag as the API server has it, then announces an expiry the
// written status newly records.
func (r *FeatureFlagReconciler) writeStatus(ctx context.Context, p *flagPass) error {
	p.status.ObservedGeneration = p.flag.Generation
	p.summarize()
	var news []*metav1.Condition
	written, err := reconcile.PatchStatus(ctx, r.Client, r.APIReader, p.flag, func(fresh *platformv1.FeatureFlag) {
		news = newlyTrue(fresh.Status.Conditions, p.status.Conditions, platformv1.FlagExpiring, platformv1.FlagStale)
		st := *p.status.DeepCopy()
		st.Conditions = slices.Clone(fresh.Status.Conditions)
		p.ConditionsOnto(&st.Conditions)
		fresh.Status = st
	})
	if err == nil && written {
		for _, c := range news {
			r.Events.Eventf(p.flag, corev1.EventTypeWarning, c.Reason, "%s", c.Message)
		}
	}
	return err
}

// summarize sets Ready: valid and in every affected tenant's entry.
func (p *flagPass) summarize() {
	for _, typ := range []string{platformv1.FlagValid, platformv1.FlagPublished} {
		if c := p.FindCondition(typ); c == nil || c.Status != metav1.ConditionTrue {
			reason, msg := platformv1.ReasonProgressing, typ+" is not known yet"
			if c != nil {
				reason, msg = c.Reason, c.Message
			}
			p.Condition(platformv1.ConditionReady, false, reason, "%s", msg)
			return
		}
	}
	p.Condition(platformv1.ConditionReady, true, platformv1.ReasonReconciled, "%s", p.FindCondition(platformv1.FlagPublished).Message)
}

// newlyTrue are the conditions of types that now holds True and written
// (the status as the API server has it) did not: each is announced once,
// by whichever process writes the change, a new leader included.
func newlyTrue(written, now []metav1.Condition, types ...string) []*metav1.Condition {
	var out []*metav1.Condition
	for _, typ := range types {
		if meta.IsStatusConditionTrue(now, typ) && !meta.IsStatusConditionTrue(written, typ) {
			out = append(out, meta.FindStatusCondition(now, typ))
		}
	}
	return out
}
