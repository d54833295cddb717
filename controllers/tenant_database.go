package controllers

import (
	"context"

	cnpgv1 "github.com/cloudnative-pg/api/pkg/api/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/pgadmin"
	"bellwork.dev/bellwork/internal/reconcile"
)

// reconcileDatabase makes the tenant database (by SQL, or through a
// CloudNativePG Database on a shared cluster) and puts back its owner and
// CONNECT grants: the tenant's roles and nobody else.
func (r *TenantReconciler) reconcileDatabase(ctx context.Context, p *tenantPass) error {
	s, err := p.maintenanceSession(ctx)
	if err != nil {
		return err
	}
	if want := builders.BuildCNPGDatabase(p.tenant, p.top, p.names); want != nil {
		have, _, err := reconcile.Ensure(ctx, p.objects, want, func(have, want *cnpgv1.Database) {
			have.Spec.Owner = want.Spec.Owner
			have.Spec.Ensure = want.Spec.Ensure
			have.Spec.ReclaimPolicy = want.Spec.ReclaimPolicy
		})
		if err != nil {
			return p.Fail(platformv1.TenantDatabaseReady, platformv1.ReasonProvisioningFailed, err, "%v", err)
		}
		if have.Status.Applied == nil || !*have.Status.Applied || have.Status.ObservedGeneration != have.Generation {
			msg := have.Status.Message
			if msg == "" {
				msg = "not applied yet"
			}
			return p.Fail(platformv1.TenantDatabaseReady, platformv1.ReasonClusterNotReady, nil,
				"Waiting for CloudNativePG to apply Database %s/%s: %s", have.Namespace, have.Name, msg)
		}
	}
	st, err := pgadmin.InspectDatabase(ctx, s, p.names.Database)
	if err != nil {
		return p.Fail(platformv1.TenantDatabaseReady, platformv1.ReasonDatabaseUnreachable, err, "%v", err)
	}
	if !st.Exists {
		if !p.top.SQLCreatesDatabase {
			return p.Fail(platformv1.TenantDatabaseReady, platformv1.ReasonClusterNotReady, nil,
				"CloudNativePG reports Database %s applied, but database %s does not exist on %s", builders.CNPGDatabaseName(p.tenant), p.names.Database, p.admin.Address())
		}
		if err := r.run(ctx, p, s, []pgadmin.Change{pgadmin.CreateDatabase(p.names)}); err != nil {
			return p.Fail(platformv1.TenantDatabaseReady, platformv1.ReasonProvisioningFailed, err, "%v", err)
		}
		if st, err = pgadmin.InspectDatabase(ctx, s, p.names.Database); err != nil {
			return p.Fail(platformv1.TenantDatabaseReady, platformv1.ReasonDatabaseUnreachable, err, "%v", err)
		}
	}
	var extra []string
	if p.top.Pooler.Name != "" {
		extra = append(extra, pgadmin.PoolerRole)
	}
	if err := r.run(ctx, p, s, pgadmin.PlanDatabase(p.names, extra, st)); err != nil {
		return p.Fail(platformv1.TenantRolesReady, platformv1.ReasonProvisioningFailed, err, "%v", err)
	}
	p.Condition(platformv1.TenantDatabaseReady, true, platformv1.ReasonReconciled,
		"Database %s on %s:%d (%s)", p.names.Database, p.top.DirectHost, p.top.DirectPort, p.top.Provider)
	return nil
}

// reconcileGrants puts back what the roles may do inside the database:
// schema public owned by the owner, USAGE and default privileges for the
// others, grants on existing tables, and PgBouncer's lookup function.
func (r *TenantReconciler) reconcileGrants(ctx context.Context, p *tenantPass) error {
	s, err := p.databaseSession(ctx)
	if err != nil {
		return p.Fail(platformv1.TenantRolesReady, platformv1.ReasonDatabaseUnreachable, err,
			"Cannot connect to database %s on %s: %v", p.names.Database, p.admin.Address(), err)
	}
	st, err := pgadmin.InspectGrants(ctx, s, p.names)
	if err != nil {
		return p.Fail(platformv1.TenantRolesReady, platformv1.ReasonDatabaseUnreachable, err, "%v", err)
	}
	changes := pgadmin.PlanGrants(p.names, st)
	if p.top.Pooler.Name != "" {
		fn, err := pgadmin.InspectPoolerFunction(ctx, s)
		if err != nil {
			return p.Fail(platformv1.TenantRolesReady, platformv1.ReasonDatabaseUnreachable, err, "%v", err)
		}
		changes = append(changes, pgadmin.PlanPoolerFunction(p.names, fn)...)
	}
	if err := r.run(ctx, p, s, changes); err != nil {
		return p.Fail(platformv1.TenantRolesReady, platformv1.ReasonProvisioningFailed, err, "%v", err)
	}
	p.Condition(platformv1.TenantRolesReady, true, platformv1.ReasonReconciled,
		"Roles %s, %s (logins %s, %s, %s), %s and %s have their attributes and grants",
		p.names.Owner, p.names.App, p.names.Blue, p.names.Green, p.names.System, p.names.Readonly, p.names.Backup)
	return nil
}
