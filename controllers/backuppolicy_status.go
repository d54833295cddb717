package controllers

import (
	"context"
	"slices"

	"k8s.io/apimachinery/pkg/api/meta"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/reconcile"
)

// writeStatus writes the pass's status onto the policy as the API server
// has it.
func (r *BackupPolicyReconciler) writeStatus(ctx context.Context, p *backupPass) error {
	_, err := reconcile.PatchStatus(ctx, r.Client, r.APIReader, p.policy, func(fresh *platformv1.BackupPolicy) {
		st := *p.status.DeepCopy()
		st.ObservedGeneration = p.policy.Generation
		st.Conditions = slices.Clone(fresh.Status.Conditions)
		if p.policy.Spec.Physical == nil {
			meta.RemoveStatusCondition(&st.Conditions, platformv1.PhysicalBackupSucceeded)
		}
		p.ConditionsOnto(&st.Conditions)
		fresh.Status = st
	})
	return err
}
