package controllers

import (
	"context"
	"fmt"
	"time"

	cnpgv1 "github.com/cloudnative-pg/api/pkg/api/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/pgadmin"
	"bellwork.dev/bellwork/internal/reconcile"
)

// reconcileServer finds the Postgres server and the admin credentials the
// operator provisions with, and checks it can connect: an external server's
// admin Secret, or a CloudNativePG cluster (made here when dedicated) that
// is ready, and its superuser Secret.
func (r *TenantReconciler) reconcileServer(ctx context.Context, p *tenantPass) error {
	if p.namesErr != nil {
		p.Condition(platformv1.TenantDatabaseReady, false, platformv1.ReasonInvalidSpec, "spec.database.name: %v", p.namesErr)
		return reconcile.ErrTerminateLoop
	}
	if p.top.Provider == "" {
		p.Condition(platformv1.TenantDatabaseReady, false, platformv1.ReasonInvalidSpec, "spec.database sets no provider: set cloudNativePG or external")
		return reconcile.ErrTerminateLoop
	}
	if err := r.findAdmin(ctx, p); err != nil {
		return err
	}
	if _, err := p.maintenanceSession(ctx); err != nil {
		return p.Fail(platformv1.TenantDatabaseReady, platformv1.ReasonDatabaseUnreachable, err,
			"Cannot connect to %s as %s: %v", p.admin.Address(), p.admin.User, err)
	}
	return nil
}

// findAdmin sets p.admin: where and as whom the operator connects to
// manage the tenant's roles and database.
func (r *TenantReconciler) findAdmin(ctx context.Context, p *tenantPass) error {
	secret := p.top.AdminSecret
	sslMode := p.top.SSLMode
	if p.top.Provider != builders.ProviderExternal {
		cluster, err := r.cluster(ctx, p)
		if err != nil {
			return err
		}
		if cluster.Spec.SuperuserSecret != nil && cluster.Spec.SuperuserSecret.Name != "" {
			secret.Name = cluster.Spec.SuperuserSecret.Name
		}
		// The operator's own connection falls back to plain text where a
		// development host override points at a server without TLS.
		sslMode = "prefer"
	}
	user, password, err := readLogin(ctx, r.APIReader, secret)
	if err != nil {
		hint, reason := "", platformv1.ReasonAdminSecretMissing
		switch p.top.Provider {
		case builders.ProviderDedicated:
			// The operator's own cluster: CloudNativePG writes it shortly.
			hint, reason = " (waiting for CloudNativePG to write it)", platformv1.ReasonClusterNotReady
		case builders.ProviderCloudNativePG:
			hint = " (CloudNativePG writes it when the Cluster sets enableSuperuserAccess: true)"
		}
		return p.Fail(platformv1.TenantDatabaseReady, reason, reconcile.ErrNextLoop,
			"Secret %s with keys username and password: %v%s", secret, err, hint)
	}
	host, port := r.Platform.dialAddress(p.top.DirectHost, p.top.DirectPort)
	p.admin = pgadmin.Target{Host: host, Port: port, Database: "postgres", User: user, Password: password,
		SSLMode: sslMode, Reuse: true}
	return nil
}

// cluster returns the tenant's CloudNativePG Cluster once it has a ready
// primary, creating it first for a dedicated tenant.
func (r *TenantReconciler) cluster(ctx context.Context, p *tenantPass) (*cnpgv1.Cluster, error) {
	cluster := &cnpgv1.Cluster{}
	if want := builders.BuildCNPGCluster(p.tenant, p.top, p.names); want != nil {
		have, _, err := reconcile.Ensure(ctx, p.objects, want, func(have, want *cnpgv1.Cluster) {
			have.Spec.Instances = want.Spec.Instances
			have.Spec.ImageName = want.Spec.ImageName
			have.Spec.EnableSuperuserAccess = want.Spec.EnableSuperuserAccess
			have.Spec.StorageConfiguration.Size = want.Spec.StorageConfiguration.Size
		})
		if meta.IsNoMatchError(err) {
			return nil, cnpgMissing(p)
		}
		if err != nil {
			return nil, p.Fail(platformv1.TenantDatabaseReady, platformv1.ReasonProvisioningFailed, err, "%v", err)
		}
		cluster = have
	} else if err := r.Client.Get(ctx, p.top.Cluster, cluster); err != nil {
		if meta.IsNoMatchError(err) {
			return nil, cnpgMissing(p)
		}
		if apierrors.IsNotFound(err) {
			return nil, p.Fail(platformv1.TenantDatabaseReady, platformv1.ReasonClusterNotReady, nil,
				"CloudNativePG Cluster %s does not exist", p.top.Cluster)
		}
		return nil, err
	}
	// A primary is all the operator's connection needs: a replica down, a
	// switchover or a rolling upgrade must not stop provisioning or drift
	// checks. The connection itself proves the primary answers.
	if cluster.Status.CurrentPrimary == "" || cluster.Status.ReadyInstances < 1 {
		phase := cluster.Status.Phase
		if phase == "" {
			phase = "no phase reported yet"
		}
		return nil, p.Fail(platformv1.TenantDatabaseReady, platformv1.ReasonClusterNotReady, nil,
			"CloudNativePG Cluster %s has %d of %d instances ready (%s)", p.top.Cluster,
			cluster.Status.ReadyInstances, cluster.Spec.Instances, phase)
	}
	return cluster, nil
}

// cnpgMissing reports a cluster without CloudNativePG's CRDs.
func cnpgMissing(p *tenantPass) error {
	p.WakeIn(time.Minute)
	return p.Fail(platformv1.TenantDatabaseReady, platformv1.ReasonClusterNotReady, reconcile.ErrTerminateLoop,
		"CloudNativePG is not installed (the API server does not know its Cluster kind); install it, then restart the operator")
}

// readLogin reads "username" and "password" from a Secret the operator
// does not own, directly from the API server (the cache holds only the
// operator's own Secrets).
func readLogin(ctx context.Context, api client.Reader, key types.NamespacedName) (string, string, error) {
	s := &corev1.Secret{}
	if err := api.Get(ctx, key, s); err != nil {
		if apierrors.IsNotFound(err) {
			return "", "", fmt.Errorf("not found")
		}
		return "", "", err
	}
	user, password := string(s.Data["username"]), string(s.Data["password"])
	if user == "" || password == "" {
		return "", "", fmt.Errorf("username or password is empty")
	}
	return user, password, nil
}
