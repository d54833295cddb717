package controllers

import (
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/pgadmin"
)

// Event reasons of the Tenant controller (condition reasons live in api/v1).
const (
	eventProvisioned = "Provisioned"
	eventPublished   = "Published"
	eventWithdrawn   = "Withdrawn"
	eventRotated     = "CredentialsRotated"
	eventFailed      = "ProvisioningFailed"
	eventDeleted     = "Deleted"
	eventNotReady    = "NotReady"
	eventRecovered   = "Recovered"
)

// reconcileRoles creates the tenant's roles and puts back attributes and
// memberships changed by hand (a BYPASSRLS, a membership of the owner).
func (r *TenantReconciler) reconcileRoles(ctx context.Context, p *tenantPass) error {
	s, err := p.maintenanceSession(ctx)
	if err != nil {
		return err
	}
	names := p.names.Roles()
	if p.top.Pooler.Name != "" {
		names = append(names, pgadmin.PoolerRole)
	}
	have, err := pgadmin.InspectRoles(ctx, s, names)
	if err != nil {
		return p.Fail(platformv1.TenantRolesReady, platformv1.ReasonDatabaseUnreachable, err, "%v", err)
	}
	limit := int(p.tenant.Spec.Database.ConnectionLimit)
	if limit <= 0 {
		limit = 50
	}
	want := pgadmin.DesiredRoles(p.names, limit)
	p.createdRoles = map[string]bool{}
	for _, w := range want {
		if _, ok := have[w.Name]; !ok {
			p.createdRoles[w.Name] = true
		}
	}
	changes := pgadmin.PlanRoles(want, have)
	if p.top.Pooler.Name != "" {
		_, exists := have[pgadmin.PoolerRole]
		changes = append(changes, pgadmin.PlanPoolerRole(pgadmin.PoolerFunctionState{RoleExists: exists})...)
	}
	if err := r.run(ctx, p, s, changes); err != nil {
		return p.Fail(platformv1.TenantRolesReady, platformv1.ReasonProvisioningFailed, err, "%v", err)
	}
	return nil
}

// run applies changes in order and logs each. What was put back after a
// hand-made change goes into one Warning Event; what was newly done joins
// the pass's Normal summary Event.
func (r *TenantReconciler) run(ctx context.Context, p *tenantPass, s pgadmin.Session, changes []pgadmin.Change) error {
	var drift []string
	defer func() {
		if len(drift) > 0 {
			r.Events.Eventf(p.tenant, corev1.EventTypeWarning, platformv1.ReasonRoleDriftRepaired, "%s", strings.Join(drift, "; "))
		}
	}()
	for _, c := range changes {
		// Decided before the change is made, so it is never made unreported.
		isDrift := false
		if c.Drift != "" {
			var err error
			if isDrift, err = r.repairsAreDrift(ctx, p); err != nil {
				return err
			}
		}
		if err := s.Exec(ctx, c.SQL); err != nil {
			r.Events.Eventf(p.tenant, corev1.EventTypeWarning, eventFailed, "%s failed: %v", c.What, err)
			return fmt.Errorf("%s: %w", strings.ToLower(c.What[:1])+c.What[1:], err)
		}
		log.FromContext(ctx).Info(c.What, "drift", c.Drift)
		if isDrift {
			if !slices.Contains(drift, c.Drift) {
				drift = append(drift, c.Drift)
			}
		} else {
			p.NoteChange(c.What)
		}
	}
	return nil
}

// repairsAreDrift says whether what this pass puts back in the database was
// changed there by hand: the tenant has been Ready, and its spec is still
// the one last applied (a spec change, say a new connection limit, is not
// drift). The status a pass starts from can be several writes behind (a
// cache under load) and says "not yet" wrongly; then the API server's copy
// decides. Only status is asked, so a restarted operator or a new leader
// decides as the one before it would have.
func (r *TenantReconciler) repairsAreDrift(ctx context.Context, p *tenantPass) (bool, error) {
	if p.drift == nil {
		drift := settled(p.before, p.tenant.Generation)
		if !drift {
			fresh := &platformv1.Tenant{}
			if err := r.APIReader.Get(ctx, client.ObjectKeyFromObject(p.tenant), fresh); err != nil {
				return false, err
			}
			drift = settled(fresh.Status, p.tenant.Generation)
		}
		p.drift = &drift
	}
	return *p.drift, nil
}

// settled says whether a status records the tenant provisioned and the
// spec of generation applied to the database.
func settled(st platformv1.TenantStatus, generation int64) bool {
	return st.ProvisionedTime != nil && st.AppliedGeneration == generation
}
