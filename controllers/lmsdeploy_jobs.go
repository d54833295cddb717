package controllers

import (
	"context"
	"strconv"

	batchv1 "k8s.io/api/batch/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/reconcile"
)

// jobs creates the migration and check Jobs the step asked for, and
// deletes those of revisions no rollout needs any more. A Job's name says
// its revision, tenant or check, and attempt, so asking twice (an operator
// restarted after writing status) finds the one made the first time.
func (r *LMSDeployReconciler) jobs(ctx context.Context, p *lmsDeployPass) error {
	d := p.d
	ro := d.Status.Rollout
	if ro == nil {
		return nil
	}
	w := reconcile.NewWriter(r.Client, r.APIReader, p)
	opts := r.builderOptions()
	for _, m := range p.decision.Migrations {
		job := builders.BuildMigrationJob(d, ro.Revision, ro.Image, m.Phase, m.Tenant, m.Attempt, opts)
		if _, _, err := reconcile.Ensure(ctx, w, job, nil); err != nil {
			return err
		}
	}
	spec := d.Spec.WithDefaults()
	for _, k := range p.decision.CheckJobs {
		checks := spec.Analysis.PrePromotion
		if k.Stage == platformv1.PostPromotion {
			checks = spec.Analysis.PostPromotion.Checks
		}
		for _, c := range checks {
			if c.Name == k.Check && c.Job != nil {
				job := builders.BuildCheckJob(d, ro.Revision, ro.Image, k.Stage, c, k.Attempt, k.Index, opts)
				if _, _, err := reconcile.Ensure(ctx, w, job, nil); err != nil {
					return err
				}
			}
		}
	}
	// Jobs of other revisions are done with: their outcome is in status.
	var jobs batchv1.JobList
	if err := r.Client.List(ctx, &jobs, client.InNamespace(d.Namespace), client.MatchingLabels{builders.InstanceLabel: d.Name}); err != nil {
		return err
	}
	for i := range jobs.Items {
		j := &jobs.Items[i]
		if rev := j.Labels[builders.RevisionLabel]; rev != "" && rev != strconv.FormatInt(ro.Revision, 10) {
			if _, err := reconcile.Remove(ctx, w, j); err != nil {
				return err
			}
		}
	}
	return nil
}
