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

// dependencies are the tenant's: a tenant created from a backup is
// published only once Restored.
func (p *tenantPass) dependencies() []string {
	if p.tenant.Spec.Database.RestoreFrom == nil {
		return dependencies
	}
	n := len(dependencies)
	return append(slices.Clone(dependencies[:n-1]), platformv1.TenantRestored, dependencies[n-1])
}

// summarize fills in what follows from the conditions: conditions that
// depend on one that is not True cannot be vouched for, Ready, and the
// fields every status carries. The phase depends on the tenant's history,
// which onto decides from the status the API server has.
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
	for _, typ := range p.dependencies() {
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

}

// writeStatus summarises the pass and writes its status onto the Tenant as
// the API server has it (see reconcile.PatchStatus), then sends the
// readiness Event that status records, if any.
func (r *TenantReconciler) writeStatus(ctx context.Context, p *tenantPass) error {
	p.summarize()
	var news *readinessNews
	written, err := reconcile.PatchStatus(ctx, r.Client, r.APIReader, p.tenant, func(fresh *platformv1.Tenant) {
		last := fresh.Status
		fresh.Status = p.onto(last)
		news = announce(last, &fresh.Status, p)
	})
	if err == nil && written && news != nil {
		r.Events.Event(p.tenant, news.typ, news.reason, news.message)
	}
	return err
}

// onto is the pass's status as it goes onto last, the status the API server
// has: what the pass observed, with what only the tenant's history decides
// taken from the newer of last and the copy the pass started from, which
// may be several writes behind.
func (p *tenantPass) onto(last platformv1.TenantStatus) platformv1.TenantStatus {
	st := *p.status.DeepCopy()
	st.Conditions = slices.Clone(last.Conditions)
	p.ConditionsOnto(&st.Conditions)
	st.AppliedGeneration = max(st.AppliedGeneration, last.AppliedGeneration)
	st.AnnouncedNotReady = last.AnnouncedNotReady.DeepCopy()
	if last.ProvisionedTime != nil && (st.ProvisionedTime == nil || last.ProvisionedTime.Before(st.ProvisionedTime)) {
		st.ProvisionedTime = last.ProvisionedTime.DeepCopy()
	}
	ready := meta.IsStatusConditionTrue(st.Conditions, platformv1.ConditionReady)
	if ready && st.ProvisionedTime == nil {
		st.ProvisionedTime = &metav1.Time{Time: p.Now}
	}
	switch {
	case !p.tenant.DeletionTimestamp.IsZero():
		st.Phase = platformv1.PhaseDeleting
	case ready:
		st.Phase = platformv1.PhaseReady
	case st.ProvisionedTime != nil:
		st.Phase = platformv1.PhaseDegraded
	default:
		st.Phase = platformv1.PhaseProvisioning
	}
	return st
}

// credentialsSecrets names the credential Secrets for status.
func credentialsSecrets() map[string]string {
	out := map[string]string{}
	for _, k := range builders.CredentialKinds {
		out[string(k)] = k.SecretName()
	}
	return out
}

// readinessNews is an Event about the tenant's readiness.
type readinessNews struct{ typ, reason, message string }

// announce decides the Event, if any, that tells the platform engineer
// about st's Ready condition, given last, the status written before it, and
// records it in st: a NotReady when a tenant that was Ready stops being so
// or the reason changes, a Recovered answering it when the tenant is Ready
// again. During first-time provisioning only what needs their action is
// announced (a missing Secret, a host conflict, an unreachable server), not
// the ordinary waits; an unchanged reason says nothing again. Events per
// object are rate-limited, so noise would crowd out what matters. Deciding
// from the written status, not from memory, makes a new leader announce
// exactly what the old one would have.
func announce(last platformv1.TenantStatus, st *platformv1.TenantStatus, p *tenantPass) *readinessNews {
	was := meta.FindStatusCondition(last.Conditions, platformv1.ConditionReady)
	now := meta.FindStatusCondition(st.Conditions, platformv1.ConditionReady)
	if now == nil || !p.tenant.DeletionTimestamp.IsZero() {
		return nil
	}
	if now.Status == metav1.ConditionTrue {
		if st.AnnouncedNotReady == nil {
			return nil
		}
		st.AnnouncedNotReady = nil
		return &readinessNews{corev1.EventTypeNormal, eventRecovered, "Ready again: " + now.Message}
	}
	changed := was == nil || was.Status != now.Status || was.Reason != now.Reason
	quiet := now.Reason == platformv1.ReasonProgressing || now.Reason == platformv1.ReasonDependencyNotReady
	if !changed || quiet || (st.ProvisionedTime == nil && !slices.Contains(needsAction, now.Reason)) {
		return nil
	}
	st.AnnouncedNotReady = &platformv1.Announcement{Reason: now.Reason, Time: metav1.NewTime(p.Now)}
	return &readinessNews{corev1.EventTypeWarning, eventNotReady, now.Message}
}

// needsAction are the reasons a tenant waits on its platform engineer.
var needsAction = []string{platformv1.ReasonAdminSecretMissing, platformv1.ReasonOIDCSecretMissing, platformv1.ReasonRosteringSecretMissing, platformv1.ReasonHostConflict,
	platformv1.ReasonDatabaseUnreachable, platformv1.ReasonInvalidSpec, platformv1.ReasonLMSNamespaceMissing, platformv1.ReasonProvisioningFailed,
	platformv1.ReasonRestoreFailed, platformv1.ReasonRestoreSourceNotFound}
