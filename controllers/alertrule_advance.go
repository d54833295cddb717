package controllers

import (
	"context"
	"errors"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/alerting"
	"bellwork.dev/bellwork/internal/rollout"
)

// advance moves each instance through its states, with what mutes it: the
// firing instances of inhibiting rules, and the affected Schools' calendars.
func (r *AlertRuleReconciler) advance(ctx context.Context, p *alertPass) error {
	inhibitors, err := r.inhibitors(ctx)
	if err != nil {
		return err
	}
	muting := alerting.Muting{Inhibitors: inhibitors}
	if p.rule.Spec.MuteWhenSchoolsClosed {
		muting.Schools = r.affectedSchools(ctx, p.rule)
	}
	p.status, p.transitions = alerting.Step(p.rule, p.status, alerting.Input{
		Now: p.now, Evaluation: p.eval, Muting: muting, Heartbeat: r.Options.Heartbeat,
	})
	switch {
	case errors.Is(p.eval.Err, errInvalidExpression):
		p.Condition(platformv1.ConditionReady, false, platformv1.ReasonInvalidExpression, "%s", p.eval.Err.Error())
	case p.eval.Err != nil:
		p.Condition(platformv1.ConditionReady, false, platformv1.ReasonEvaluationFailed, "%s", p.eval.Err.Error())
	default:
		p.Condition(platformv1.ConditionReady, true, platformv1.ReasonEvaluated, "the rule evaluates")
	}
	return nil
}

// inhibitors are the firing instances of every rule that inhibits others,
// as their status (the cache's copy) shows them.
func (r *AlertRuleReconciler) inhibitors(ctx context.Context) ([]alerting.Inhibitor, error) {
	var rules platformv1.AlertRuleList
	if err := r.Client.List(ctx, &rules); err != nil {
		return nil, err
	}
	var out []alerting.Inhibitor
	for i := range rules.Items {
		rule := &rules.Items[i]
		equal := rule.InhibitEqual()
		if equal == nil {
			continue
		}
		for _, inst := range rule.Status.Instances {
			if inst.State == platformv1.AlertFiring {
				out = append(out, alerting.Inhibitor{Rule: rule.Namespace + "/" + rule.Name, Labels: inst.Labels, Equal: equal})
			}
		}
	}
	return out, nil
}

// affectedSchools are the Schools of an instance's tenant (its "tenant"
// label, else the tenant whose namespace holds the rule), narrowed to the
// one whose code is its "school" label.
func (r *AlertRuleReconciler) affectedSchools(ctx context.Context, rule *platformv1.AlertRule) func(alerting.Labels) []rollout.School {
	byTenant := map[string][]platformv1.School{}
	return func(l alerting.Labels) []rollout.School {
		tenant := l["tenant"]
		if tenant == "" {
			tenant, _ = strings.CutPrefix(rule.Namespace, platformv1.TenantNamespacePrefix)
		}
		if tenant == "" {
			return nil
		}
		schools, ok := byTenant[tenant]
		if !ok {
			var list platformv1.SchoolList
			if err := r.Client.List(ctx, &list, client.InNamespace(platformv1.TenantNamespacePrefix+tenant)); err != nil {
				log.FromContext(ctx).Error(err, "Could not list Schools for muting", "tenant", tenant)
			}
			schools = list.Items
			byTenant[tenant] = schools
		}
		var out []rollout.School
		for _, s := range schools {
			if code := l["school"]; code != "" && code != s.Spec.Code {
				continue
			}
			out = append(out, rollout.School{Name: s.Namespace + "/" + s.Name, TimeZone: string(s.Spec.TimeZone), Calendar: s.Spec.Calendar})
		}
		return out
	}
}
