package controllers

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/alerting"
	"bellwork.dev/bellwork/internal/alerting/deliver"
)

// notify sends what the grouping plan decides to every receiver and records
// each delivery. NotificationsHealthy is false while the last delivery to a
// receiver failed (after its retries), so a receiver that keeps failing is
// visible in `kubectl get` and to whoever watches conditions.
func (r *AlertRuleReconciler) notify(ctx context.Context, p *alertPass) error {
	if len(p.rule.Spec.Receivers) == 0 {
		p.status.Groups = nil
		p.Condition(platformv1.AlertNotificationsHealthy, true, platformv1.ReasonNoReceivers, "the rule has no receivers")
		return nil
	}
	groups, msgs := alerting.Plan(ctx, p.rule, p.status, p.now)
	if len(msgs) == 0 {
		p.status.Groups = groups
		if p.FindCondition(platformv1.AlertNotificationsHealthy) == nil {
			p.Condition(platformv1.AlertNotificationsHealthy, true, platformv1.ReasonNotificationsDelivered, "nothing has needed sending")
		}
		return nil
	}
	receivers, readErrs := r.receivers(ctx, p.rule)
	var failed error
	for _, m := range msgs {
		errs := map[string]error{}
		for _, spec := range p.rule.Spec.Receivers {
			rc, ok := receivers[spec.Name]
			if !ok {
				errs[spec.Name] = readErrs[spec.Name]
				continue
			}
			errs[spec.Name] = r.Sender.Send(ctx, rc, m)
		}
		var rec platformv1.NotificationRecord
		groups, rec = alerting.Delivered(groups, m, errs, p.now)
		p.status.LastNotification = &rec
		if rec.Result == platformv1.NotificationFailed {
			failed = fmt.Errorf("%s: %s", rec.Receiver, rec.Message)
		}
	}
	p.status.Groups = groups
	if failed != nil {
		p.Condition(platformv1.AlertNotificationsHealthy, false, platformv1.ReasonNotificationFailed, "delivery to %s", failed)
	} else {
		p.Condition(platformv1.AlertNotificationsHealthy, true, platformv1.ReasonNotificationsDelivered, "the last messages reached every receiver")
	}
	return nil
}

// receivers reads each receiver's URL (and key) from its Secret. The
// Secrets are the user's, so they are read from the API server, not the
// cache (which holds only the operator's own). A receiver that cannot be
// read is left out, with why in the errors by receiver name.
func (r *AlertRuleReconciler) receivers(ctx context.Context, rule *platformv1.AlertRule) (map[string]deliver.Receiver, map[string]error) {
	out, errs := map[string]deliver.Receiver{}, map[string]error{}
	secrets := map[string]*corev1.Secret{}
	value := func(ref platformv1.SecretKeyReference) (string, error) {
		s, ok := secrets[ref.Name]
		if !ok {
			s = &corev1.Secret{}
			if err := r.APIReader.Get(ctx, client.ObjectKey{Namespace: rule.Namespace, Name: ref.Name}, s); err != nil {
				return "", fmt.Errorf("read Secret %s/%s: %w", rule.Namespace, ref.Name, err)
			}
			secrets[ref.Name] = s
		}
		v, ok := s.Data[ref.Key]
		if !ok || len(v) == 0 {
			return "", fmt.Errorf("Secret %s/%s has no key %q", rule.Namespace, ref.Name, ref.Key)
		}
		return string(v), nil
	}
	for _, spec := range rule.Spec.Receivers {
		rc := deliver.Receiver{Name: spec.Name}
		var err error
		switch {
		case spec.Slack != nil:
			rc.Slack, rc.Channel = true, spec.Slack.Channel
			rc.URL, err = value(spec.Slack.URL)
		case spec.Webhook != nil:
			rc.URL, err = value(spec.Webhook.URL)
			if err == nil {
				var key string
				key, err = value(spec.Webhook.SigningKey)
				rc.SigningKey = []byte(key)
			}
		}
		if err != nil {
			errs[spec.Name] = err
			continue
		}
		out[spec.Name] = rc
	}
	return out, errs
}
