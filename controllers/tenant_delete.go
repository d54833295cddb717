package controllers

import (
	"context"
	"fmt"
	"time"

	cnpgv1 "github.com/cloudnative-pg/api/pkg/api/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/pgadmin"
	"bellwork.dev/bellwork/internal/reconcile"
)

// ensureFinalizer adds the Tenant finalizer before anything is created.
func (r *TenantReconciler) ensureFinalizer(ctx context.Context, p *tenantPass) error {
	return reconcile.AddFinalizer(ctx, r.Client, p.tenant, platformv1.TenantFinalizer)
}

// finalize carries out a Tenant's deletion: withdraw the directory entry
// first, so the LMS stops serving the district; then keep (Retain) or drop
// (Delete) the database and roles; then let the Tenant go.
func (r *TenantReconciler) finalize(ctx context.Context, p *tenantPass) error {
	if !controllerutil.ContainsFinalizer(p.tenant, platformv1.TenantFinalizer) {
		return nil
	}
	p.Enter("delete")
	if err := r.withdraw(ctx, p, "the tenant is being deleted"); err != nil {
		return err
	}
	p.Condition(platformv1.TenantPublished, false, platformv1.ReasonDeleting, "The tenant is being deleted")
	var err error
	if p.tenant.EffectiveReclaimPolicy() == platformv1.ReclaimDelete {
		err = r.dropDatabase(ctx, p)
	} else {
		err = r.retainDatabase(ctx, p)
	}
	if err != nil {
		return err
	}
	if err := reconcile.RemoveFinalizer(ctx, r.Client, p.tenant, platformv1.TenantFinalizer); err != nil {
		return err
	}
	log.FromContext(ctx).Info("Released Tenant", "reclaimPolicy", p.tenant.EffectiveReclaimPolicy())
	return reconcile.ErrTerminateLoop
}

// retainDatabase keeps the database and roles. A dedicated cluster lives
// in the tenant namespace, which is garbage-collected with the Tenant: the
// namespace is let go of instead, so the cluster and its volumes stay.
func (r *TenantReconciler) retainDatabase(ctx context.Context, p *tenantPass) error {
	msg := fmt.Sprintf("Kept database %s and its roles (reclaimPolicy Retain)", p.names.Database)
	if p.top.Provider == builders.ProviderDedicated {
		ns := &corev1.Namespace{}
		if err := r.Client.Get(ctx, client.ObjectKey{Name: p.tenant.NamespaceName()}, ns); client.IgnoreNotFound(err) != nil {
			return err
		} else if err == nil {
			var refs []metav1.OwnerReference
			for _, ref := range ns.OwnerReferences {
				if ref.UID != p.tenant.UID {
					refs = append(refs, ref)
				}
			}
			if len(refs) != len(ns.OwnerReferences) {
				patch := client.MergeFrom(ns.DeepCopy())
				ns.OwnerReferences = refs
				if err := r.Client.Patch(ctx, ns, patch); err != nil {
					return err
				}
			}
		}
		msg += fmt.Sprintf("; namespace %s and Cluster %s stay", p.tenant.NamespaceName(), builders.DedicatedClusterName)
	}
	r.Events.Eventf(p.tenant, corev1.EventTypeNormal, eventDeleted, "%s", msg)
	return nil
}

// dropDatabase drops the database and roles once the LMS has let go: it
// waits (at most SessionWait after deletion began) for the app logins'
// sessions to end, then ends what remains. A dedicated cluster is deleted
// whole. Every statement names only this tenant's database and roles.
func (r *TenantReconciler) dropDatabase(ctx context.Context, p *tenantPass) error {
	if p.top.Provider == builders.ProviderDedicated {
		c := &cnpgv1.Cluster{}
		c.Namespace, c.Name = p.top.Cluster.Namespace, p.top.Cluster.Name
		if _, err := reconcile.Remove(ctx, p.objects, c); err != nil {
			return err
		}
		r.Events.Eventf(p.tenant, corev1.EventTypeNormal, eventDeleted,
			"Deleted CloudNativePG Cluster %s and with it database %s (reclaimPolicy Delete)", p.top.Cluster, p.names.Database)
		return nil
	}
	if p.namesErr != nil {
		return nil // nothing was ever created under an invalid name
	}
	if err := r.findAdmin(ctx, p); err != nil {
		return err
	}
	s, err := p.maintenanceSession(ctx)
	if err != nil {
		return p.Fail(platformv1.TenantDatabaseReady, platformv1.ReasonDatabaseUnreachable, err,
			"Cannot connect to %s to drop database %s: %v", p.admin.Address(), p.names.Database, err)
	}
	sessions, err := pgadmin.CountSessions(ctx, s, p.names.Database, p.names.LMSLogins())
	if err != nil {
		return err
	}
	deadline := p.tenant.DeletionTimestamp.Add(r.Options.SessionWait)
	if sessions > 0 && p.Now.Before(deadline) {
		p.Condition(platformv1.TenantDatabaseReady, false, platformv1.ReasonWaitingForSessions,
			"%d sessions of the LMS remain on database %s; they are ended at %s", sessions, p.names.Database, deadline.UTC().Format(time.RFC3339))
		p.WakeIn(min(r.Platform.RetryInterval, deadline.Sub(p.Now)))
		return reconcile.ErrTerminateLoop
	}
	changes := []pgadmin.Change{pgadmin.TerminateSessions(p.names), pgadmin.DropDatabase(p.names)}
	changes = append(changes, pgadmin.DropRoles(p.names)...)
	if err := r.run(ctx, p, s, changes); err != nil {
		return p.Fail(platformv1.TenantDatabaseReady, platformv1.ReasonProvisioningFailed, err, "%v", err)
	}
	if want := builders.BuildCNPGDatabase(p.tenant, p.top, p.names); want != nil {
		if _, err := reconcile.Remove(ctx, p.objects, want); err != nil {
			return err
		}
	}
	r.Events.Eventf(p.tenant, corev1.EventTypeNormal, eventDeleted,
		"Dropped database %s and its roles (reclaimPolicy Delete)", p.names.Database)
	return nil
}
