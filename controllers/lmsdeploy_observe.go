package controllers

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/reconcile"
	"bellwork.dev/bellwork/internal/rollout"
	"bellwork.dev/bellwork/pkg/directory"
)

// validate stops an lmsdeploy the operator cannot run: outside the LMS
// namespace its pods could not read the tenant directory, and its
// migration Jobs could not map the tenants' entries.
func (r *LMSDeployReconciler) validate(ctx context.Context, p *lmsDeployPass) error {
	msg := ""
	if p.d.Namespace != r.Platform.LMSNamespace {
		msg = fmt.Sprintf("an lmsdeploy runs in the LMS namespace %s, where the tenant directory is; this one is in %s", r.Platform.LMSNamespace, p.d.Namespace)
	} else if sel := p.d.Spec.TenantSelector; sel != nil {
		if _, err := metav1.LabelSelectorAsSelector(sel); err != nil {
			msg = "spec.tenantSelector: " + err.Error()
		}
	}
	if msg == "" {
		return nil
	}
	_, err := reconcile.PatchStatus(ctx, r.Client, r.APIReader, p.d, func(fresh *platformv1.Deployment) {
		fresh.Status.ObservedGeneration = fresh.Generation
		fresh.Status.Phase, fresh.Status.Message = platformv1.DeploymentDegraded, msg
		meta.SetStatusCondition(&fresh.Status.Conditions, metav1.Condition{Type: platformv1.ConditionReady, Status: metav1.ConditionFalse,
			Reason: platformv1.ReasonInvalidSpec, Message: msg, ObservedGeneration: fresh.Generation, LastTransitionTime: metav1.NewTime(p.now)})
	})
	if err != nil {
		return err
	}
	return reconcile.ErrTerminateLoop
}

// observe fills p.obs from the cluster.
func (r *LMSDeployReconciler) observe(ctx context.Context, p *lmsDeployPass) error {
	d := p.d
	p.obs = rollout.Observed{Now: p.now, Colors: map[platformv1.Color]rollout.ColorObserved{}, ActiveEndpoints: map[platformv1.Color]int{},
		Migrations: map[rollout.MigrationKey][]rollout.JobRun{}, CheckJobs: map[rollout.CheckJobKey]rollout.JobRun{}}
	for _, c := range []platformv1.Color{platformv1.Blue, platformv1.Green} {
		var dep appsv1.Deployment
		err := r.Client.Get(ctx, client.ObjectKey{Namespace: d.Namespace, Name: d.ColorName(c)}, &dep)
		if client.IgnoreNotFound(err) != nil {
			return err
		}
		if err == nil {
			p.obs.Colors[c] = colorObserved(&dep)
		}
	}
	if err := r.observeEndpoints(ctx, p); err != nil {
		return err
	}
	if err := r.observeTenants(ctx, p); err != nil {
		return err
	}
	if ro := d.Status.Rollout; ro != nil {
		p.obs.JobsRevision = ro.Revision
		return r.observeJobs(ctx, p, ro.Revision)
	}
	return nil
}

func colorObserved(dep *appsv1.Deployment) rollout.ColorObserved {
	want := int32(1)
	if dep.Spec.Replicas != nil {
		want = *dep.Spec.Replicas
	}
	st := dep.Status
	return rollout.ColorObserved{
		TemplateHash:  dep.Spec.Template.Labels[builders.HashLabel],
		Replicas:      want,
		ReadyReplicas: st.ReadyReplicas,
		Updated:       st.ObservedGeneration >= dep.Generation && st.UpdatedReplicas == want && st.Replicas == want,
	}
}

// observeEndpoints counts the Ready endpoints behind the active Service by
// the colour of their pods.
func (r *LMSDeployReconciler) observeEndpoints(ctx context.Context, p *lmsDeployPass) error {
	var slices discoveryv1.EndpointSliceList
	if err := r.Client.List(ctx, &slices, client.InNamespace(p.d.Namespace),
		client.MatchingLabels{discoveryv1.LabelServiceName: p.d.ActiveServiceName()}); err != nil {
		return err
	}
	for _, es := range slices.Items {
		for _, e := range es.Endpoints {
			if e.Conditions.Ready != nil && !*e.Conditions.Ready || e.TargetRef == nil {
				continue
			}
			for _, c := range []platformv1.Color{platformv1.Blue, platformv1.Green} {
				if strings.HasPrefix(e.TargetRef.Name, p.d.ColorName(c)+"-") {
					p.obs.ActiveEndpoints[c]++
				}
			}
		}
	}
	return nil
}

// observeTenants lists the tenants the fleet serves that have a directory
// entry (only those can be migrated) and their schools (whose calendars
// shape the deploy windows).
func (r *LMSDeployReconciler) observeTenants(ctx context.Context, p *lmsDeployPass) error {
	sel := labels.Everything()
	if s := p.d.Spec.TenantSelector; s != nil {
		sel, _ = metav1.LabelSelectorAsSelector(s)
	}
	var tenants platformv1.TenantList
	if err := r.Client.List(ctx, &tenants, client.MatchingLabelsSelector{Selector: sel}); err != nil {
		return err
	}
	var entries corev1.SecretList
	if err := r.Client.List(ctx, &entries, client.InNamespace(r.Platform.LMSNamespace),
		client.MatchingLabels{directory.LabelKey: directory.LabelValue}); err != nil {
		return err
	}
	published := map[string]bool{}
	for _, s := range entries.Items {
		published[s.Labels[directory.TenantLabel]] = true
	}
	for _, t := range tenants.Items {
		if published[t.Name] && t.DeletionTimestamp.IsZero() {
			p.obs.Tenants = append(p.obs.Tenants, t.Name)
		}
		var schools platformv1.SchoolList
		if err := r.Client.List(ctx, &schools, client.InNamespace(t.NamespaceName())); err != nil {
			return err
		}
		for _, s := range schools.Items {
			if s.Spec.Tenant != t.Name || !s.DeletionTimestamp.IsZero() {
				continue
			}
			p.obs.Schools = append(p.obs.Schools, rollout.School{Name: s.Namespace + "/" + s.Name, TimeZone: string(s.Spec.TimeZone), Calendar: s.Spec.Calendar})
		}
	}
	sort.Strings(p.obs.Tenants)
	return nil
}

// observeJobs reads the migration and check Jobs of a revision.
func (r *LMSDeployReconciler) observeJobs(ctx context.Context, p *lmsDeployPass, revision int64) error {
	var jobs batchv1.JobList
	if err := r.Client.List(ctx, &jobs, client.InNamespace(p.d.Namespace), client.MatchingLabels{
		builders.InstanceLabel: p.d.Name, builders.RevisionLabel: strconv.FormatInt(revision, 10)}); err != nil {
		return err
	}
	for i := range jobs.Items {
		j := &jobs.Items[i]
		l := j.Labels
		attempt, _ := strconv.Atoi(l[builders.AttemptLabel])
		run := rollout.JobRun{Attempt: int32(attempt), State: rollout.JobRunning}
		switch {
		case jobCondition(j, batchv1.JobComplete):
			run.State = rollout.JobSucceeded
		case jobCondition(j, batchv1.JobFailed):
			run.State, run.Message = rollout.JobFailed, r.jobFailure(ctx, j)
		}
		switch l[builders.RoleLabel] {
		case builders.RoleMigration:
			key := rollout.MigrationKey{Tenant: l[builders.TenantLabel], Phase: platformv1.MigrationPhase(l[builders.PhaseLabel])}
			p.obs.Migrations[key] = append(p.obs.Migrations[key], run)
		case builders.RoleCheck:
			index, _ := strconv.Atoi(l[builders.IndexLabel])
			p.obs.CheckJobs[rollout.CheckJobKey{Stage: platformv1.AnalysisStage(l[builders.StageLabel]), Check: l[builders.CheckLabel],
				Attempt: int32(attempt), Index: int32(index)}] = run
		}
	}
	return nil
}

func jobCondition(j *batchv1.Job, t batchv1.JobConditionType) bool {
	for _, c := range j.Status.Conditions {
		if c.Type == t && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

// jobFailure is why a Job failed, for status: its pod's termination
// message (the tail of its output), or the Job's own reason (a deadline).
func (r *LMSDeployReconciler) jobFailure(ctx context.Context, j *batchv1.Job) string {
	var pods corev1.PodList
	if err := r.APIReader.List(ctx, &pods, client.InNamespace(j.Namespace), client.MatchingLabels{"batch.kubernetes.io/job-name": j.Name}); err == nil {
		for _, pod := range pods.Items {
			for _, cs := range pod.Status.ContainerStatuses {
				if t := cs.State.Terminated; t != nil && t.ExitCode != 0 {
					return lastLine(t.Message, fmt.Sprintf("exit code %d", t.ExitCode))
				}
			}
		}
	}
	for _, c := range j.Status.Conditions {
		if c.Type == batchv1.JobFailed {
			return c.Reason + ": " + c.Message
		}
	}
	return "the Job failed"
}

// lastLine is the last non-empty line of s, or fallback.
func lastLine(s, fallback string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			if len(l) > 500 {
				l = l[:500] + "…"
			}
			return l
		}
	}
	return fallback
}
