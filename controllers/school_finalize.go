package controllers

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/reconcile"
)

// eventArchiveTimeout is the Warning on a School released without the
// LMS's report that it archived the school.
const eventArchiveTimeout = "ArchiveTimeout"

// ensureFinalizer holds a School's deletion until the LMS has archived it.
func (r *SchoolReconciler) ensureFinalizer(ctx context.Context, p *schoolPass) error {
	return reconcile.AddFinalizer(ctx, r.Client, p.school, platformv1.SchoolFinalizer)
}

// finalize releases a deleted School once the LMS reports it archived, its
// tenant cannot be served, it was never published, or ArchiveWait passed.
func (r *SchoolReconciler) finalize(ctx context.Context, p *schoolPass) error {
	s := p.school
	if !controllerutil.ContainsFinalizer(s, platformv1.SchoolFinalizer) {
		return nil
	}
	p.Enter("finalize")
	p.Condition(platformv1.ConditionReady, false, platformv1.ReasonDeleting, "Removed from the directory; waiting for the LMS to archive it")
	release, why, err := r.mayRelease(ctx, p)
	if err != nil {
		return err
	}
	if !release {
		deadline := s.DeletionTimestamp.Add(r.Options.ArchiveWait)
		if p.Now.Before(deadline) {
			// The LMS archives within seconds of the entry changing: look
			// often at first, then every StatusInterval.
			wait := r.Options.StatusInterval
			if p.Now.Sub(s.DeletionTimestamp.Time) < 2*time.Minute {
				wait = r.Platform.RetryInterval
			}
			p.WakeIn(min(wait, deadline.Sub(p.Now)))
			return reconcile.ErrTerminateLoop
		}
		r.Events.Eventf(s, corev1.EventTypeWarning, eventArchiveTimeout,
			"The LMS did not report school %s archived within %s; released anyway (its data stays in the LMS)", s.Spec.Code, r.Options.ArchiveWait)
		why = "waited " + r.Options.ArchiveWait.String()
	}
	if err := reconcile.RemoveFinalizer(ctx, r.Client, s, platformv1.SchoolFinalizer); err != nil {
		return err
	}
	log.FromContext(ctx).Info("Released School", "reason", why)
	return reconcile.ErrTerminateLoop
}

// mayRelease says whether a deleted School may go, and why.
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
