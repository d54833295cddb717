package controllers

import (
	"context"

	corev1 "k8s.io/api/core/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/reconcile"
	"bellwork.dev/bellwork/internal/rollout"
)

// decide runs the step function on the lmsdeploy as the API server has it
// and writes the status it decides, before any object is touched: the
// objects follow status, so an operator that stops after this write
// resumes from it, and one that stops before it decides again from the
// same state. The step's Events are announced once the write is in.
func (r *LMSDeployReconciler) decide(ctx context.Context, p *lmsDeployPass) error {
	_, err := reconcile.PatchStatus(ctx, r.Client, r.APIReader, p.d, func(fresh *platformv1.Deployment) {
		p.decision = rollout.Step(fresh.Spec, fresh.Generation, fresh.Status, p.obs)
		fresh.Status = p.decision.Status
	})
	if err != nil {
		return err
	}
	for _, e := range p.decision.Events {
		kind := corev1.EventTypeNormal
		if e.Warning {
			kind = corev1.EventTypeWarning
		}
		r.Events.Event(p.d, kind, e.Reason, e.Message)
	}
	if p.decision.Wake > 0 {
		p.WakeIn(p.decision.Wake)
	}
	return nil
}
