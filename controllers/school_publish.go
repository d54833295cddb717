package controllers

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/reconcile"
	"bellwork.dev/bellwork/pkg/directory"
)

// checkPublished looks for this version of the School in its tenant's
// directory entry; until it is there the pass ends with status saying why.
func (r *SchoolReconciler) checkPublished(ctx context.Context, p *schoolPass) error {
	t := p.tenant
	entry, err := r.entry(ctx, t)
	if err != nil {
		return err
	}
	if entry == nil {
		msg := fmt.Sprintf("Tenant %s is not Ready, so its directory entry is withheld", t.Name)
		if c := meta.FindStatusCondition(t.Status.Conditions, platformv1.ConditionReady); c != nil && c.Message != "" {
			msg += ": " + c.Message
		}
		p.notPublished(platformv1.ReasonTenantNotReady, msg)
		return reconcile.ErrTerminateLoop
	}
	hash := builders.SchoolHash(p.school)
	for _, e := range entry.Schools {
		if e.Code == p.school.Spec.Code && directory.SchoolHash(e) == hash {
			p.Condition(platformv1.SchoolPublished, true, platformv1.ReasonPublished, "In directory entry %s/%s", r.Platform.LMSNamespace, directory.SecretName(t.Name))
			return nil
		}
	}
	p.notPublished(platformv1.ReasonProgressing, fmt.Sprintf("Waiting for tenant %s to publish this version", t.Name))
	p.WakeIn(r.Platform.RetryInterval)
	return reconcile.ErrTerminateLoop
}

// entry reads the tenant's published directory entry; nil when there is none.
func (r *SchoolReconciler) entry(ctx context.Context, t *platformv1.Tenant) (*directory.Entry, error) {
	sec := &corev1.Secret{}
	err := r.Client.Get(ctx, client.ObjectKey{Namespace: r.Platform.LMSNamespace, Name: directory.SecretName(t.Name)}, sec)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return directory.Unmarshal(sec.Data[directory.EntryKey])
}
