package controllers

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/reconcile"
)

// validate applies the rules the Tenant controller publishes by (and the
// admission webhook refuses by) and finds the School's tenant; a School
// that fails them ends the pass with its status saying why.
func (r *SchoolReconciler) validate(ctx context.Context, p *schoolPass) error {
	s := p.school
	var siblings platformv1.SchoolList
	if err := r.Client.List(ctx, &siblings, client.InNamespace(s.Namespace)); err != nil {
		return err
	}
	_, verdicts := builders.SelectSchools(s.Namespace, siblings.Items)
	v, ok := verdicts[s.Name]
	if !ok {
		v = builders.SchoolVerdict{} // not in the cache yet: judged on the next event
	}
	if !v.Published() {
		p.invalid(v.Reason, v.Message)
		return reconcile.ErrTerminateLoop
	}
	tenant := &platformv1.Tenant{}
	if err := r.Client.Get(ctx, client.ObjectKey{Name: s.Spec.Tenant}, tenant); err != nil {
		if apierrors.IsNotFound(err) {
			p.invalid(platformv1.ReasonTenantNotFound, fmt.Sprintf("Tenant %s does not exist", s.Spec.Tenant))
			return reconcile.ErrTerminateLoop
		}
		return err
	}
	p.tenant = tenant
	return nil
}
