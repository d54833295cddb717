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

// writeStatus writes the pass's status onto the School as the API server
// has it (see reconcile.PatchStatus), then announces a refusal the status
// newly records.
func (r *SchoolReconciler) writeStatus(ctx context.Context, p *schoolPass) error {
	p.status.ObservedGeneration = p.school.Generation
	var refused *metav1.Condition
	written, err := reconcile.PatchStatus(ctx, r.Client, r.APIReader, p.school, func(fresh *platformv1.School) {
		refused = newRefusal(fresh.Status, p.status)
		st := *p.status.DeepCopy()
		st.Conditions = slices.Clone(fresh.Status.Conditions)
		p.ConditionsOnto(&st.Conditions)
		fresh.Status = st
	})
	if err == nil && written && refused != nil {
		r.Events.Eventf(p.school, corev1.EventTypeWarning, refused.Reason, "Not published: %s", refused.Message)
	}
	return err
}

// rejections are the reasons a School is refused until its spec or its
// neighbours change; each gets one Warning Event when it first applies.
var rejections = []string{platformv1.ReasonDuplicateCode, platformv1.ReasonWrongNamespace,
	platformv1.ReasonUnknownTimeZone, platformv1.ReasonTenantNotFound}

// newRefusal is the Ready condition to announce when status refuses the
// School and the School's last written status did not already say so:
// kubectl apply accepted the School, so an Event is where the platform
// engineer looks. Deciding from the written status, not a cached copy,
// keeps a new leader from announcing it again.
func newRefusal(written, status platformv1.SchoolStatus) *metav1.Condition {
	now := meta.FindStatusCondition(status.Conditions, platformv1.ConditionReady)
	if now == nil || now.Status != metav1.ConditionFalse || !slices.Contains(rejections, now.Reason) {
		return nil
	}
	if was := meta.FindStatusCondition(written.Conditions, platformv1.ConditionReady); was != nil && was.Reason == now.Reason && was.Message == now.Message {
		return nil
	}
	return now
}
