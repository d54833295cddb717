package controllers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/notify"
	"bellwork.dev/bellwork/internal/reconcile"
)

// notifyRetry is how soon undelivered messages are tried again.
const notifyRetry = 30 * time.Second

// notify delivers the messages status holds for the webhook, then removes
// those delivered from status. A message is recorded before it is sent, so
// a restart may send one twice but never loses one. A message the webhook
// refuses for good (a 4xx other than 429) is dropped with a Warning Event:
// trying it again would only block the messages behind it.
func (r *LMSDeployReconciler) notify(ctx context.Context, p *lmsDeployPass) error {
	d := p.d
	pending := d.Status.PendingNotifications
	if len(pending) == 0 {
		return nil
	}
	n := d.Spec.Notifications
	if n == nil {
		return r.dropNotifications(ctx, p, pending)
	}
	var secret corev1.Secret
	ref := n.WebhookURLSecret
	url := ""
	if err := r.APIReader.Get(ctx, client.ObjectKey{Namespace: d.Namespace, Name: ref.Name}, &secret); err == nil {
		url = string(secret.Data[ref.Key])
	}
	if url == "" {
		r.Events.Eventf(d, corev1.EventTypeWarning, "NotificationFailed", "Secret %s has no key %s with the webhook URL; %d message(s) wait", ref.Name, ref.Key, len(pending))
		p.WakeIn(notifyRetry)
		return nil
	}
	notifier := r.Notifier
	if notifier == nil {
		notifier = &notify.Webhook{}
	}
	var sent []platformv1.PendingNotification
	for _, m := range pending {
		err := notifier.Send(ctx, url, notify.Message{Event: string(m.Event), Object: d.Namespace + "/" + d.Name, Revision: m.Revision, Text: m.Text, Time: m.Time.Time})
		if errors.Is(err, notify.ErrPermanent) {
			r.Events.Eventf(d, corev1.EventTypeWarning, "NotificationDropped", "Dropped the %s message of revision %d: %v", m.Event, m.Revision, err)
			sent = append(sent, m)
			continue
		}
		if err != nil {
			r.Events.Eventf(d, corev1.EventTypeWarning, "NotificationFailed", "Could not deliver the %s message: %v", m.Event, err)
			p.WakeIn(notifyRetry)
			break
		}
		sent = append(sent, m)
	}
	return r.dropNotifications(ctx, p, sent)
}

// dropNotifications removes delivered (or no longer wanted) messages from status.
func (r *LMSDeployReconciler) dropNotifications(ctx context.Context, p *lmsDeployPass, done []platformv1.PendingNotification) error {
	if len(done) == 0 {
		return nil
	}
	_, err := reconcile.PatchStatus(ctx, r.Client, r.APIReader, p.d, func(fresh *platformv1.Deployment) {
		fresh.Status.PendingNotifications = slices.DeleteFunc(fresh.Status.PendingNotifications, func(m platformv1.PendingNotification) bool {
			return slices.ContainsFunc(done, func(s platformv1.PendingNotification) bool {
				return s.Event == m.Event && s.Revision == m.Revision && s.Time.Equal(&m.Time) && s.Text == m.Text
			})
		})
	})
	if err != nil {
		return fmt.Errorf("record delivered notifications: %w", err)
	}
	return nil
}
