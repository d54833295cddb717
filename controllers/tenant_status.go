package controllers

import (
	"context"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/reconcile"
)

// dependencies are the Tenant's conditions in the order they build on each
// other; Ready is all of them.
var dependencies = []string{
	platformv1.TenantNamespaceReady,
	platformv1.TenantDatabaseReady,
	platformv1.TenantRolesReady,
	platformv1.TenantCredentialsReady,
	platformv1.TenantPublished,
}

// summarize fills in what follows from the conditions: conditions that
// depend on one that is not True cannot be vouched for, Ready, the phase,
// and the fields every status carries.
func (p *tenantPass) summarize() {
	st := &p.status
	st.ObservedGeneration = p.tenant.Generation
	st.Namespace = p.tenant.NamespaceName()
	if p.namesErr == nil && p.top.Provider != "" {
		db := &platformv1.DatabaseStatus{
			Provider: p.top.Provider,
			Name:     p.names.Database,
			Endpoint: fmt.Sprintf("%s:%d", p.top.Host, p.top.Port),
		}
		if p.IsTrue(platformv1.TenantCredentialsReady) || (st.Database != nil && len(st.Database.CredentialsSecrets) > 0) {
			db.CredentialsSecrets = credentialsSecrets()
		}
		st.Database = db
	}

	var blocking *metav1.Condition
	for _, typ := range dependencies {
		c := meta.FindStatusCondition(st.Conditions, typ)
		if c == nil {
			meta.SetStatusCondition(&st.Conditions, metav1.Condition{Type: typ, Status: metav1.ConditionUnknown,
				Reason: platformv1.ReasonProgressing, Message: "Not checked yet",
				ObservedGeneration: p.tenant.Generation, LastTransitionTime: metav1.NewTime(p.Now)})
			c = meta.FindStatusCondition(st.Conditions, typ)
		}
		if blocking != nil && c.Status == metav1.ConditionTrue {
			meta.SetStatusCondition(&st.Conditions, metav1.Condition{Type: typ, Status: metav1.ConditionUnknown,
				Reason: platformv1.ReasonDependencyNotReady, Message: fmt.Sprintf("Waiting for %s", blocking.Type),
				ObservedGeneration: p.tenant.Generation, LastTransitionTime: metav1.NewTime(p.Now)})
			continue
		}
		if blocking == nil && c.Status != metav1.ConditionTrue {
			cc := *c
			blocking = &cc
		}
	}

	ready := metav1.Condition{Type: platformv1.ConditionReady, Status: metav1.ConditionTrue,
		Reason: platformv1.ReasonReconciled, Message: "The LMS serves this tenant",
		ObservedGeneration: p.tenant.Generation, LastTransitionTime: metav1.NewTime(p.Now)}
	switch {
	case !p.tenant.DeletionTimestamp.IsZero():
		ready.Status, ready.Reason, ready.Message = metav1.ConditionFalse, platformv1.ReasonDeleting, "The tenant is being deleted"
	case blocking != nil:
		ready.Status, ready.Reason = metav1.ConditionFalse, blocking.Reason
		ready.Message = fmt.Sprintf("%s: %s", blocking.Type, blocking.Message)
	}
	meta.SetStatusCondition(&st.Conditions, ready)

	switch {
	case !p.tenant.DeletionTimestamp.IsZero():
		st.Phase = platformv1.PhaseDeleting
	case ready.Status == metav1.ConditionTrue:
		st.Phase = platformv1.PhaseReady
	case p.before.Phase == platformv1.PhaseReady || p.before.Phase == platformv1.PhaseDegraded:
		st.Phase = platformv1.PhaseDegraded
	default:
		st.Phase = platformv1.PhaseProvisioning
	}
}

// writeStatus summarises the pass and writes its status (see
// reconcile.PatchStatus).
func (r *TenantReconciler) writeStatus(ctx context.Context, p *tenantPass) error {
	p.summarize()
	r.announceReadiness(p)
	_, err := reconcile.PatchStatus(ctx, r.Client, r.APIReader, p.tenant, func(fresh *platformv1.Tenant) {
		fresh.Status = *p.status.DeepCopy()
	})
	return err
}

// credentialsSecrets names the credential Secrets for status.
func credentialsSecrets() map[string]string {
	out := map[string]string{}
	for _, k := range builders.CredentialKinds {
		out[string(k)] = k.SecretName()
	}
	return out
}

// announceReadiness tells the platform engineer, with one Event, when a
// tenant that was Ready stops being so or the reason changes, and when it
// recovers. During first-time provisioning only what needs their action is
// announced (a missing Secret, a host conflict, an unreachable server), not
// the ordinary waits; an unchanged reason says nothing again. Events per
// object are rate-limited, so noise would crowd out what matters.
func (r *TenantReconciler) announceReadiness(p *tenantPass) {
	was := meta.FindStatusCondition(p.before.Conditions, platformv1.ConditionReady)
	now := meta.FindStatusCondition(p.status.Conditions, platformv1.ConditionReady)
	if now == nil || !p.tenant.DeletionTimestamp.IsZero() {
		return
	}
	if now.Status == metav1.ConditionTrue {
		// Recovered answers a NotReady this process sent, once: the cached
		// status a pass starts from can lag, so "was not Ready" alone could
		// announce a first-time Ready as a recovery.
		if _, sent := r.notReady.LoadAndDelete(p.tenant.UID); sent {
			r.Events.Eventf(p.tenant, corev1.EventTypeNormal, eventRecovered, "Ready again: %s", now.Message)
		}
		return
	}
	changed := was == nil || was.Status != now.Status || was.Reason != now.Reason
	quiet := now.Reason == platformv1.ReasonProgressing || now.Reason == platformv1.ReasonDependencyNotReady
	if changed && !quiet && (p.provisioned || slices.Contains(needsAction, now.Reason)) {
		r.Events.Eventf(p.tenant, corev1.EventTypeWarning, eventNotReady, "%s", now.Message)
		r.notReady.Store(p.tenant.UID, true)
	}
}

// needsAction are the reasons a tenant waits on its platform engineer.
var needsAction = []string{platformv1.ReasonAdminSecretMissing, platformv1.ReasonOIDCSecretMissing, platformv1.ReasonHostConflict,
	platformv1.ReasonDatabaseUnreachable, platformv1.ReasonInvalidSpec, platformv1.ReasonLMSNamespaceMissing, platformv1.ReasonProvisioningFailed}
