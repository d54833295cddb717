package controllers

import (
	"time"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/alerting"
	"bellwork.dev/bellwork/internal/reconcile"
)

// alertPass is one evaluation of one AlertRule.
type alertPass struct {
	reconcile.Pass
	rule   *platformv1.AlertRule
	status platformv1.AlertRuleStatus
	// now is the evaluation time (the injectable clock, unrounded).
	now time.Time
	// eval is what the evaluate phase found.
	eval alerting.Evaluation
	// transitions are the instances' state changes, for Events.
	transitions []alerting.Transition
}

func newAlertPass(rule *platformv1.AlertRule, now time.Time) *alertPass {
	p := &alertPass{rule: rule, status: *rule.Status.DeepCopy(), now: now}
	p.Pass = reconcile.NewPass(rule.Generation, &p.status.Conditions)
	p.Now = now.Truncate(time.Second)
	return p
}
