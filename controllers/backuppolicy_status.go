package controllers

import (
	"context"
	"slices"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/reconcile"
)

// writeStatus writes the pass's conditions onto the policy as the API
// server has it; the backup records stay as they are (not read yet).
func (r *BackupPolicyReconciler) writeStatus(ctx context.Context, p *backupPass) error {
	_, err := reconcile.PatchStatus(ctx, r.Client, r.APIReader, p.policy, func(fresh *platformv1.BackupPolicy) {
		fresh.Status.ObservedGeneration = p.policy.Generation
		conds := slices.Clone(fresh.Status.Conditions)
		p.ConditionsOnto(&conds)
		fresh.Status.Conditions = conds
	})
	return err
}
