package controllers

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/log"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/pkg/directory"
)

// checkSynced reads the LMS's report through the tenant's readonly role:
// the School is Ready once the LMS holds the published version.
func (r *SchoolReconciler) checkSynced(ctx context.Context, p *schoolPass) error {
	st, err := r.lmsStatus(ctx, p.tenant)
	if err != nil {
		p.WakeIn(r.Options.StatusInterval)
		log.FromContext(ctx).Info("Could not read operator_status", "error", err.Error())
		return nil
	}
	got, ok := st.Schools[p.school.Spec.Code]
	if !ok || got.Hash != builders.SchoolHash(p.school) {
		p.status.Synced = false
		p.Condition(platformv1.SchoolSynced, false, platformv1.ReasonAwaitingLMS, "Published; the LMS has not stored this version yet")
		p.Condition(platformv1.ConditionReady, false, platformv1.ReasonAwaitingLMS, "Published; waiting for the LMS to store it")
		p.WakeIn(r.awaitLMS(p))
		return nil
	}
	p.status.Synced = true
	p.status.SyncedTime = &metav1.Time{Time: got.SyncedAt.Truncate(time.Second)}
	p.status.ActiveStudents = int32(got.ActiveStudents)
	p.Condition(platformv1.SchoolSynced, true, platformv1.ReasonSynced, "The LMS holds this version")
	p.Condition(platformv1.ConditionReady, true, platformv1.ReasonReconciled, "Published and stored by the LMS")
	return nil
}

// awaitLMS is how soon to look again for the LMS's report: the LMS stores a
// new version within seconds, so a freshly published school is checked
// often, one the LMS has not taken for minutes only every StatusInterval.
func (r *SchoolReconciler) awaitLMS(p *schoolPass) time.Duration {
	c := p.FindCondition(platformv1.SchoolPublished)
	if c != nil && c.Status == metav1.ConditionTrue && p.Now.Sub(c.LastTransitionTime.Time) < 2*time.Minute {
		return r.Platform.RetryInterval
	}
	return r.Options.StatusInterval
}

// lmsStatus reads operator_status with the tenant's readonly credentials.
func (r *SchoolReconciler) lmsStatus(ctx context.Context, t *platformv1.Tenant) (*directory.Status, error) {
	sec := &corev1.Secret{}
	if err := r.Client.Get(ctx, inNamespace(t, builders.CredentialReadonly.SecretName()), sec); err != nil {
		return nil, err
	}
	top := builders.TopologyOf(t, r.Platform.OperatorNamespace)
	return readStatusAs(ctx, r.Platform.Postgres, &r.Platform, top, string(sec.Data[builders.KeyDBName]),
		string(sec.Data[builders.KeyUsername]), string(sec.Data[builders.KeyPassword]))
}
