package controllers

import (
	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/reconcile"
)

// schoolPass is one reconcile of one School: the status it will write once
// at the end, and the tenant the validate phase found.
type schoolPass struct {
	reconcile.Pass
	school *platformv1.School
	// before is the status as read; status is what this pass observed.
	before platformv1.SchoolStatus
	status platformv1.SchoolStatus
	// tenant is the School's Tenant; set by the validate phase.
	tenant *platformv1.Tenant
}

func newSchoolPass(s *platformv1.School) *schoolPass {
	p := &schoolPass{school: s, before: *s.Status.DeepCopy(), status: *s.Status.DeepCopy()}
	p.Pass = reconcile.NewPass(s.Generation, &p.status.Conditions)
	return p
}

// invalid records a School that cannot be published, and why.
func (p *schoolPass) invalid(reason, msg string) {
	p.Condition(platformv1.SchoolPublished, false, reason, "%s", msg)
	p.notSynced()
	p.Condition(platformv1.ConditionReady, false, reason, "%s", msg)
}

// notPublished records a valid School that is not in the entry (yet).
func (p *schoolPass) notPublished(reason, msg string) {
	p.Condition(platformv1.SchoolPublished, false, reason, "%s", msg)
	p.notSynced()
	p.Condition(platformv1.ConditionReady, false, reason, "%s", msg)
}

func (p *schoolPass) notSynced() {
	p.status.Synced = false
	p.Condition(platformv1.SchoolSynced, false, platformv1.ReasonDependencyNotReady, "Not published")
}
