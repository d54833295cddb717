package controllers

import (
	"context"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/tools/record"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/alerting"
	"bellwork.dev/bellwork/internal/alerting/deliver"
	"bellwork.dev/bellwork/internal/reconcile"
)

// Querier evaluates a PromQL expression at a time: the operator's own
// scraped samples, or a Prometheus-compatible API.
type Querier interface {
	Query(ctx context.Context, expr string, at time.Time) ([]alerting.Sample, error)
}

// AlertRuleReconciler evaluates each AlertRule on its interval, keeps each
// instance's state in status, and sends its notifications. The state
// machine, muting and grouping are internal/alerting's; this controller
// gathers their inputs (samples, Secrets, Schools, inhibiting rules) and
// writes what they decide.
type AlertRuleReconciler struct {
	Client    client.Client
	APIReader client.Reader
	Events    record.EventRecorder
	Platform  Platform
	Options   AlertRuleOptions
	// Local answers expressions without spec.source; nil reports that
	// PromQL evaluation is not configured.
	Local Querier
	// Remote makes the Querier for a spec.source.
	Remote func(src platformv1.AlertSource) Querier
	Sender *deliver.Sender
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Reconcile is the table of contents: read the rule, evaluate it, advance
// its instances, notify, write status once (only when it changed), and
// come back after the rule's interval.
func (r *AlertRuleReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	// Read from the API server, not the cache: the status written by the
	// last pass decides what is sent now, and a lagging cache would send
	// a message twice.
	rule := &platformv1.AlertRule{}
	if err := r.APIReader.Get(ctx, req.NamespacedName, rule); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !rule.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil
	}
	p := newAlertPass(rule, r.now())
	err := r.reconcile(ctx, p)
	if err != nil && !reconcile.IsSentinel(err) {
		log.FromContext(ctx).Error(err, "Reconcile failed", "phase", p.Phase())
	}
	if statusErr := r.writeStatus(ctx, p); statusErr != nil {
		if apierrors.IsNotFound(statusErr) {
			return ctrl.Result{}, nil
		}
		return reconcile.Result(statusErr, r.Platform.RetryInterval, 0)
	}
	return reconcile.Result(err, r.Platform.RetryInterval, rule.EvaluationInterval())
}

// reconcile evaluates a rule, phase by phase.
func (r *AlertRuleReconciler) reconcile(ctx context.Context, p *alertPass) error {
	phases := []reconcile.Phase[*alertPass]{
		// Evaluate: the expression or typed check, into samples or an error.
		{Name: "evaluate", Run: r.evaluate},
		// Advance: each instance's state, and what mutes it.
		{Name: "advance", Run: r.advance},
		// Notify: the groups' messages to the receivers.
		{Name: "notify", Run: r.notify},
	}
	return reconcile.RunPhases(ctx, p, phases)
}

func (r *AlertRuleReconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// SetupWithManager watches AlertRules' specs. Status changes (its own
// writes) do not wake a rule: it is evaluated on its interval.
func (r *AlertRuleReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		Named("alertrule").
		For(&platformv1.AlertRule{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		WithOptions(controller.Options{MaxConcurrentReconciles: r.Options.MaxConcurrentReconciles}).
		Complete(r)
}
