package controllers

import (
	"time"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/reconcile"
	"bellwork.dev/bellwork/internal/rollout"
)

// lmsDeployPass is one reconcile of one lmsdeploy.
type lmsDeployPass struct {
	reconcile.Pass
	d   *platformv1.Deployment
	now time.Time
	// obs is what the observe and measure phases saw.
	obs rollout.Observed
	// decision is what the step function decided; its status is written.
	decision rollout.Decision
}

func newLMSDeployPass(d *platformv1.Deployment, now time.Time) *lmsDeployPass {
	p := &lmsDeployPass{d: d, now: now}
	conditions := d.Status.DeepCopy().Conditions
	p.Pass = reconcile.NewPass(d.Generation, &conditions)
	return p
}
