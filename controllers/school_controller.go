package controllers

import (
	"context"
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/retry"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/pkg/directory"
)

// SchoolReconciler reports whether each School is valid, published in its
// tenant's directory entry and synced by the LMS, and holds a deleted
// School until the LMS has archived it. The Tenant controller publishes.
type SchoolReconciler struct {
	Client    client.Client
	APIReader client.Reader
	Events    record.EventRecorder
	Options   Options
}

// schoolPass is one reconcile of one School.
type schoolPass struct {
	school *platformv1.School
	before platformv1.SchoolStatus
	status platformv1.SchoolStatus
	now    time.Time
	wake   time.Duration
}

// Reconcile is the table of contents: read the School, hold or release a
// deleted one, otherwise find out where it stands; write status once.
func (r *SchoolReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	s := &platformv1.School{}
	if err := r.Client.Get(ctx, req.NamespacedName, s); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	p := &schoolPass{school: s, before: *s.Status.DeepCopy(), status: *s.Status.DeepCopy(), now: time.Now().Truncate(time.Second)}
	var err error
	if !s.DeletionTimestamp.IsZero() {
		err = r.finalize(ctx, p)
	} else {
		err = r.reconcile(ctx, p)
	}
	if err != nil && !isSentinel(err) {
		log.FromContext(ctx).Error(err, "Reconcile failed")
	}
	if statusErr := r.writeStatus(ctx, p); statusErr != nil && !apierrors.IsNotFound(statusErr) {
		return result(statusErr, r.Options.RetryInterval, 0)
	}
	next := r.Options.DriftInterval
	if p.wake > 0 && p.wake < next {
		next = p.wake
	}
	return result(err, r.Options.RetryInterval, next)
}

// reconcile checks the School, then whether its tenant published it, then
// whether the LMS holds it.
func (r *SchoolReconciler) reconcile(ctx context.Context, p *schoolPass) error {
	// Hold deletion until the LMS has archived the school.
	if err := r.ensureFinalizer(ctx, p); err != nil {
		return err
	}
	// Valid: right namespace, known time zone, a code of its own, a tenant.
	tenant, err := r.validate(ctx, p)
	if err != nil || tenant == nil {
		return err
	}
	// Published: in the tenant's directory entry, this version.
	published, err := r.checkPublished(ctx, p, tenant)
	if err != nil || !published {
		return err
	}
	// Synced: the LMS reports holding this version.
	return r.checkSynced(ctx, p, tenant)
}

func (r *SchoolReconciler) ensureFinalizer(ctx context.Context, p *schoolPass) error {
	if controllerutil.ContainsFinalizer(p.school, platformv1.SchoolFinalizer) {
		return nil
	}
	patch := client.MergeFromWithOptions(p.school.DeepCopy(), client.MergeFromWithOptimisticLock{})
	controllerutil.AddFinalizer(p.school, platformv1.SchoolFinalizer)
	return r.Client.Patch(ctx, p.school, patch)
}

// validate applies the same rules the Tenant controller publishes by, and
// returns the tenant when the School passes them.
func (r *SchoolReconciler) validate(ctx context.Context, p *schoolPass) (*platformv1.Tenant, error) {
	s := p.school
	var siblings platformv1.SchoolList
	if err := r.Client.List(ctx, &siblings, client.InNamespace(s.Namespace)); err != nil {
		return nil, err
	}
	_, verdicts := builders.SelectSchools(s.Namespace, siblings.Items)
	v, ok := verdicts[s.Name]
	if !ok {
		v = builders.SchoolVerdict{} // not in the cache yet: judged on the next event
	}
	if !v.Published() {
		p.invalid(v.Reason, v.Message)
		return nil, nil
	}
	tenant := &platformv1.Tenant{}
	if err := r.Client.Get(ctx, client.ObjectKey{Name: s.Spec.Tenant}, tenant); err != nil {
		if apierrors.IsNotFound(err) {
			p.invalid(platformv1.ReasonTenantNotFound, fmt.Sprintf("Tenant %s does not exist", s.Spec.Tenant))
			return nil, nil
		}
		return nil, err
	}
	return tenant, nil
}

// checkPublished looks for this version of the School in the entry.
func (r *SchoolReconciler) checkPublished(ctx context.Context, p *schoolPass, t *platformv1.Tenant) (bool, error) {
	entry, err := r.entry(ctx, t)
	if err != nil {
		return false, err
	}
	if entry == nil {
		msg := fmt.Sprintf("Tenant %s is not Ready, so its directory entry is withheld", t.Name)
		if c := meta.FindStatusCondition(t.Status.Conditions, platformv1.ConditionReady); c != nil && c.Message != "" {
			msg += ": " + c.Message
		}
		p.notPublished(platformv1.ReasonTenantNotReady, msg)
		return false, nil
	}
	hash := builders.SchoolHash(p.school)
	for _, e := range entry.Schools {
		if e.Code == p.school.Spec.Code && directory.SchoolHash(e) == hash {
			p.condition(platformv1.SchoolPublished, true, platformv1.ReasonPublished, "In directory entry %s/%s", r.Options.LMSNamespace, directory.SecretName(t.Name))
			return true, nil
		}
	}
	p.notPublished(platformv1.ReasonProgressing, fmt.Sprintf("Waiting for tenant %s to publish this version", t.Name))
	p.wakeIn(r.Options.RetryInterval)
	return false, nil
}

// awaitLMS is how soon to look again for the LMS's report: the LMS stores a
// new version within seconds, so a freshly published school is checked
// often, one the LMS has not taken for minutes only every StatusInterval.
func (r *SchoolReconciler) awaitLMS(p *schoolPass) time.Duration {
	c := meta.FindStatusCondition(p.status.Conditions, platformv1.SchoolPublished)
	if c != nil && c.Status == metav1.ConditionTrue && p.now.Sub(c.LastTransitionTime.Time) < 2*time.Minute {
		return r.Options.RetryInterval
	}
	return r.Options.StatusInterval
}

// checkSynced reads the LMS's report through the tenant's readonly role.
func (r *SchoolReconciler) checkSynced(ctx context.Context, p *schoolPass, t *platformv1.Tenant) error {
	st, err := r.lmsStatus(ctx, t)
	if err != nil {
		p.wakeIn(r.Options.StatusInterval)
		log.FromContext(ctx).Info("Could not read operator_status", "error", err.Error())
		return nil
	}
	got, ok := st.Schools[p.school.Spec.Code]
	if !ok || got.Hash != builders.SchoolHash(p.school) {
		p.status.Synced = false
		p.condition(platformv1.SchoolSynced, false, platformv1.ReasonAwaitingLMS, "Published; the LMS has not stored this version yet")
		p.condition(platformv1.ConditionReady, false, platformv1.ReasonAwaitingLMS, "Published; waiting for the LMS to store it")
		p.wakeIn(r.awaitLMS(p))
		return nil
	}
	p.status.Synced = true
	p.status.SyncedTime = &metav1.Time{Time: got.SyncedAt.Truncate(time.Second)}
	p.status.ActiveStudents = int32(got.ActiveStudents)
	p.condition(platformv1.SchoolSynced, true, platformv1.ReasonSynced, "The LMS holds this version")
	p.condition(platformv1.ConditionReady, true, platformv1.ReasonReconciled, "Published and stored by the LMS")
	return nil
}

// finalize releases a deleted School once the LMS reports it archived, its
// tenant cannot be served, it was never published, or ArchiveWait passed.
func (r *SchoolReconciler) finalize(ctx context.Context, p *schoolPass) error {
	s := p.school
	if !controllerutil.ContainsFinalizer(s, platformv1.SchoolFinalizer) {
		return nil
	}
	p.condition(platformv1.ConditionReady, false, platformv1.ReasonDeleting, "Removed from the directory; waiting for the LMS to archive it")
	release, why, err := r.mayRelease(ctx, p)
	if err != nil {
		return err
	}
	if !release {
		deadline := s.DeletionTimestamp.Add(r.Options.ArchiveWait)
		if p.now.Before(deadline) {
			// The LMS archives within seconds of the entry changing: look
			// often at first, then every StatusInterval.
			wait := r.Options.StatusInterval
			if p.now.Sub(s.DeletionTimestamp.Time) < 2*time.Minute {
				wait = r.Options.RetryInterval
			}
			p.wakeIn(min(wait, deadline.Sub(p.now)))
			return ErrTerminateLoop
		}
		r.Events.Eventf(s, corev1.EventTypeWarning, "ArchiveTimeout",
			"The LMS did not report school %s archived within %s; released anyway (its data stays in the LMS)", s.Spec.Code, r.Options.ArchiveWait)
		why = "waited " + r.Options.ArchiveWait.String()
	}
	patch := client.MergeFromWithOptions(s.DeepCopy(), client.MergeFromWithOptimisticLock{})
	controllerutil.RemoveFinalizer(s, platformv1.SchoolFinalizer)
	if err := r.Client.Patch(ctx, s, patch); err != nil {
		return client.IgnoreNotFound(err)
	}
	log.FromContext(ctx).Info("Released School", "reason", why)
	return ErrTerminateLoop
}

func (r *SchoolReconciler) mayRelease(ctx context.Context, p *schoolPass) (bool, string, error) {
	s := p.school
	if !meta.IsStatusConditionTrue(p.before.Conditions, platformv1.SchoolPublished) {
		return true, "never published", nil
	}
	t := &platformv1.Tenant{}
	if err := r.Client.Get(ctx, client.ObjectKey{Name: s.Spec.Tenant}, t); err != nil {
		if apierrors.IsNotFound(err) {
			return true, "tenant gone", nil
		}
		return false, "", err
	}
	// A tenant without an entry has nothing the LMS could serve the school
	// from; one that is Degraded still serves its last entry, which lists
	// the school until the tenant recovers and publishes without it.
	if !t.DeletionTimestamp.IsZero() || t.Status.DirectorySecret == "" {
		return true, "tenant not published", nil
	}
	if !meta.IsStatusConditionTrue(t.Status.Conditions, platformv1.ConditionReady) {
		return false, "", nil
	}
	st, err := r.lmsStatus(ctx, t)
	if err != nil {
		log.FromContext(ctx).Info("Could not read operator_status", "error", err.Error())
		return false, "", nil
	}
	if got, ok := st.Schools[s.Spec.Code]; ok && got.Archived {
		return true, "archived by the LMS", nil
	}
	return false, "", nil
}

// entry reads the tenant's published directory entry; nil when there is none.
func (r *SchoolReconciler) entry(ctx context.Context, t *platformv1.Tenant) (*directory.Entry, error) {
	sec := &corev1.Secret{}
	err := r.Client.Get(ctx, client.ObjectKey{Namespace: r.Options.LMSNamespace, Name: directory.SecretName(t.Name)}, sec)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return directory.Unmarshal(sec.Data[directory.EntryKey])
}

// lmsStatus reads operator_status with the tenant's readonly credentials.
func (r *SchoolReconciler) lmsStatus(ctx context.Context, t *platformv1.Tenant) (*directory.Status, error) {
	sec := &corev1.Secret{}
	if err := r.Client.Get(ctx, inNamespace(t, builders.CredentialReadonly.SecretName()), sec); err != nil {
		return nil, err
	}
	top := builders.TopologyOf(t, r.Options.OperatorNamespace)
	return readStatusAs(ctx, r.Options.Postgres, &r.Options, top, string(sec.Data[builders.KeyDBName]),
		string(sec.Data[builders.KeyUsername]), string(sec.Data[builders.KeyPassword]))
}

func (p *schoolPass) condition(typ string, ok bool, reason, format string, args ...any) {
	status := metav1.ConditionFalse
	if ok {
		status = metav1.ConditionTrue
	}
	meta.SetStatusCondition(&p.status.Conditions, metav1.Condition{Type: typ, Status: status, Reason: reason,
		Message: fmt.Sprintf(format, args...), ObservedGeneration: p.school.Generation, LastTransitionTime: metav1.NewTime(p.now)})
}

// invalid records a School that cannot be published, and why.
func (p *schoolPass) invalid(reason, msg string) {
	p.condition(platformv1.SchoolPublished, false, reason, "%s", msg)
	p.notSynced()
	p.condition(platformv1.ConditionReady, false, reason, "%s", msg)
}

// notPublished records a valid School that is not in the entry (yet).
func (p *schoolPass) notPublished(reason, msg string) {
	p.condition(platformv1.SchoolPublished, false, reason, "%s", msg)
	p.notSynced()
	p.condition(platformv1.ConditionReady, false, reason, "%s", msg)
}

func (p *schoolPass) notSynced() {
	p.status.Synced = false
	p.condition(platformv1.SchoolSynced, false, platformv1.ReasonDependencyNotReady, "Not published")
}

func (p *schoolPass) wakeIn(d time.Duration) {
	if d <= 0 {
		d = time.Second
	}
	if p.wake == 0 || d < p.wake {
		p.wake = d
	}
}

// rejections are the reasons a School is refused until its spec or its
// neighbours change; each gets one Warning Event when it first applies.
var rejections = []string{platformv1.ReasonDuplicateCode, platformv1.ReasonWrongNamespace,
	platformv1.ReasonUnknownTimeZone, platformv1.ReasonTenantNotFound}

// announceRejection tells the platform engineer, once, why a School is not
// published: kubectl apply accepted it, so an Event is where they look.
func (r *SchoolReconciler) announceRejection(p *schoolPass) {
	now := meta.FindStatusCondition(p.status.Conditions, platformv1.ConditionReady)
	if now == nil || now.Status != metav1.ConditionFalse || !slices.Contains(rejections, now.Reason) {
		return
	}
	if was := meta.FindStatusCondition(p.before.Conditions, platformv1.ConditionReady); was != nil && was.Reason == now.Reason && was.Message == now.Message {
		return
	}
	r.Events.Eventf(p.school, corev1.EventTypeWarning, now.Reason, "Not published: %s", now.Message)
}

// writeStatus is the School's one status writer.
func (r *SchoolReconciler) writeStatus(ctx context.Context, p *schoolPass) error {
	r.announceRejection(p)
	p.status.ObservedGeneration = p.school.Generation
	if equality.Semantic.DeepEqual(p.before, p.status) {
		return nil
	}
	latest := p.school
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if latest == nil {
			latest = &platformv1.School{}
			if err := r.APIReader.Get(ctx, client.ObjectKeyFromObject(p.school), latest); err != nil {
				return err
			}
		}
		patch := client.MergeFromWithOptions(latest.DeepCopy(), client.MergeFromWithOptimisticLock{})
		latest.Status = *p.status.DeepCopy()
		err := r.Client.Status().Patch(ctx, latest, patch)
		latest = nil
		return err
	})
}

// SetupWithManager watches Schools, their siblings (a duplicate code
// resolves when the older School goes), their Tenant and its entry.
func (r *SchoolReconciler) SetupWithManager(mgr ctrl.Manager) error {
	c := mgr.GetClient()
	schoolsIn := func(ctx context.Context, ns string) []reconcile.Request {
		var list platformv1.SchoolList
		if err := c.List(ctx, &list, client.InNamespace(ns)); err != nil {
			return nil
		}
		out := make([]reconcile.Request, 0, len(list.Items))
		for _, s := range list.Items {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&s)})
		}
		return out
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named("school").
		For(&platformv1.School{}).
		Watches(&platformv1.School{}, handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []reconcile.Request {
			return schoolsIn(ctx, o.GetNamespace())
		})).
		Watches(&platformv1.Tenant{}, handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []reconcile.Request {
			return schoolsIn(ctx, platformv1.TenantNamespacePrefix+o.GetName())
		})).
		Watches(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []reconcile.Request {
			if o.GetLabels()[directory.LabelKey] != directory.LabelValue {
				return nil
			}
			return schoolsIn(ctx, platformv1.TenantNamespacePrefix+o.GetLabels()[directory.TenantLabel])
		})).
		Complete(r)
}
