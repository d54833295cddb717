package controllers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/pgadmin"
	"bellwork.dev/bellwork/pkg/directory"
)

// tenantPass is one reconcile of one Tenant: what it read, what it found,
// and the status it will write once at the end.
type tenantPass struct {
	tenant *platformv1.Tenant
	// before is the status as read; status is what this pass observed.
	before platformv1.TenantStatus
	status platformv1.TenantStatus
	now    time.Time
	phase  string

	names    pgadmin.Names
	namesErr error
	top      builders.Topology
	// provisioned is true once the tenant has been Ready: anything found
	// different now was changed by hand (drift). The phase, unlike
	// RolesReady, survives a passing failure of an earlier dependency.
	provisioned bool
	// seenGeneration is the newest spec generation a pass has finished with:
	// the cached status's, or newer if this process wrote one the cache has
	// not caught up with. A pass on a newer generation applies a spec change.
	seenGeneration int64

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
	// published are the Schools in the entry; set by the publish phase.
	published []platformv1.School
	// wake is the soonest this tenant wants another look (0: no wish).
	wake time.Duration
	// changes lists what this pass created or changed, for one Event.
	changes []string
}

// noteChange records something this pass created or changed.
func (p *tenantPass) noteChange(what string) {
	if !slices.Contains(p.changes, what) {
		p.changes = append(p.changes, what)
	}
}

// summary is the pass's changes as one Event message.
func (p *tenantPass) summary() string {
	msg := strings.Join(p.changes, "; ")
	if len(msg) > 1000 {
		msg = msg[:1000] + "…"
	}
	return msg
}

func (r *TenantReconciler) newPass(t *platformv1.Tenant) *tenantPass {
	p := &tenantPass{
		tenant:      t,
		before:      *t.Status.DeepCopy(),
		status:      *t.Status.DeepCopy(),
		now:         time.Now().Truncate(time.Second),
		top:         builders.TopologyOf(t, r.Options.OperatorNamespace),
		connector:   r.Options.Postgres,
		provisioned: t.Status.Phase == platformv1.PhaseReady || t.Status.Phase == platformv1.PhaseDegraded,
	}
	if _, ok := r.beenReady.Load(t.UID); ok {
		p.provisioned = true
	}
	p.seenGeneration = t.Status.ObservedGeneration
	if g, ok := r.seenGeneration.Load(t.UID); ok && g.(int64) > p.seenGeneration {
		p.seenGeneration = g.(int64)
	}
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

// condition records a condition of this pass.
func (p *tenantPass) condition(typ string, ok bool, reason, format string, args ...any) {
	status := metav1.ConditionFalse
	if ok {
		status = metav1.ConditionTrue
	}
	meta.SetStatusCondition(&p.status.Conditions, metav1.Condition{
		Type: typ, Status: status, Reason: reason, Message: fmt.Sprintf(format, args...),
		ObservedGeneration: p.tenant.Generation, LastTransitionTime: metav1.NewTime(p.now),
	})
}

// fail records a False condition and returns err, or ErrNextLoop when err is nil.
func (p *tenantPass) fail(typ, reason string, err error, format string, args ...any) error {
	p.condition(typ, false, reason, format, args...)
	if err == nil {
		return ErrNextLoop
	}
	return err
}

// wakeIn asks for another look within d.
func (p *tenantPass) wakeIn(d time.Duration) {
	if d <= 0 {
		d = time.Second
	}
	if p.wake == 0 || d < p.wake {
		p.wake = d
	}
}

// next is when to look again: the soonest wish, or the drift interval.
func (p *tenantPass) next(drift time.Duration) time.Duration {
	if p.wake > 0 && p.wake < drift {
		return p.wake
	}
	return drift
}

// isTrue says whether this pass holds condition typ as True.
func (p *tenantPass) isTrue(typ string) bool {
	return meta.IsStatusConditionTrue(p.status.Conditions, typ)
}

func isSentinel(err error) bool {
	return errors.Is(err, ErrNextLoop) || errors.Is(err, ErrTerminateLoop)
}
