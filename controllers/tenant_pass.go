package controllers

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/pgadmin"
	"bellwork.dev/bellwork/internal/reconcile"
	"bellwork.dev/bellwork/pkg/directory"
)

// tenantPass is one reconcile of one Tenant: what it read, what it found,
// and the status it will write once at the end.
type tenantPass struct {
	reconcile.Pass
	tenant *platformv1.Tenant
	// before is the status as read; status is what this pass observed.
	before platformv1.TenantStatus
	status platformv1.TenantStatus
	// objects writes the pass's child objects; each write joins the pass's
	// summary Event.
	objects *reconcile.Writer

	names    pgadmin.Names
	namesErr error
	top      builders.Topology
	// drift, once decided, says whether what this pass puts back in the
	// database was changed by hand (see repairsAreDrift).
	drift *bool

	connector pgadmin.Connector
	// admin reaches the server's maintenance database as the admin; set by
	// the server phase.
	admin       pgadmin.Target
	maintenance pgadmin.Session
	inDatabase  pgadmin.Session

	// createdRoles are the roles created in this pass (they have no password).
	createdRoles map[string]bool
	// verifiers are the roles' stored password verifiers, when the admin
	// may read them (verifiable); the credentials phase checks Secrets
	// against them.
	verifiers  map[string]string
	verifiable bool

	// creds are the credentials Postgres has, by kind; set by the
	// credentials phase.
	creds map[builders.CredentialKind]builders.Credential
	// admins are the invitations to publish; set by the invitations phase.
	admins []directory.Admin
	// flagTokens are the SHA-256 digests of the district's OFREP tokens;
	// set by the flag token phase.
	flagTokens []string
	// published are the Schools in the entry; set by the publish phase.
	published []platformv1.School
}

func (r *TenantReconciler) newPass(t *platformv1.Tenant) *tenantPass {
	p := &tenantPass{
		tenant:    t,
		before:    *t.Status.DeepCopy(),
		status:    *t.Status.DeepCopy(),
		top:       builders.TopologyOf(t, r.Platform.OperatorNamespace),
		connector: r.Platform.Postgres,
	}
	p.Pass = reconcile.NewPass(t.Generation, &p.status.Conditions)
	p.objects = reconcile.NewWriter(r.Client, r.APIReader, &p.Pass)
	p.names, p.namesErr = pgadmin.NamesFor(t.DatabaseName())
	return p
}

// close ends the pass's database sessions.
func (p *tenantPass) close(ctx context.Context) {
	for _, s := range []pgadmin.Session{p.inDatabase, p.maintenance} {
		if s != nil {
			s.Close(ctx)
		}
	}
}

// maintenanceSession is the admin's session on the maintenance database,
// where roles and databases are managed.
func (p *tenantPass) maintenanceSession(ctx context.Context) (pgadmin.Session, error) {
	if p.maintenance == nil {
		s, err := p.connector.Open(ctx, p.admin)
		if err != nil {
			return nil, err
		}
		p.maintenance = s
	}
	return p.maintenance, nil
}

// databaseSession is the admin's session on the tenant database.
func (p *tenantPass) databaseSession(ctx context.Context) (pgadmin.Session, error) {
	if p.inDatabase == nil {
		t := p.admin
		t.Database, t.Reuse = p.names.Database, false
		s, err := p.connector.Open(ctx, t)
		if err != nil {
			return nil, err
		}
		p.inDatabase = s
	}
	return p.inDatabase, nil
}

// ownedByTenant says whether an object carries this tenant's label: one of
// the same name made by someone else is left alone.
func (p *tenantPass) ownedByTenant(obj client.Object) bool {
	return obj.GetLabels()[builders.TenantLabel] == p.tenant.Name
}
