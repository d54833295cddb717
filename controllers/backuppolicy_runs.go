package controllers

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/robfig/cron/v3"
	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/backup"
	"bellwork.dev/bellwork/internal/builders"
)

// +kubebuilder:rbac:groups=batch,resources=jobs,verbs=get;list;watch

// maxRecentRuns is how many runs status lists.
const maxRecentRuns = 10

// Kinds of BackupRun, as the run records name them.
const (
	runBackup       = backup.RunBackup
	runVerification = backup.RunVerification
)

// readRuns fills status.recentRuns from the run records in storage and
// the Jobs Kubernetes keeps that left none (running, or killed or cut off
// from storage first), and reports a backup run that failed after the
// newest backup in storage: a failed run leaves no backup, so the
// backups alone would still call the last one good.
func (r *BackupPolicyReconciler) readRuns(ctx context.Context, p *backupPass) error {
	var jobs batchv1.JobList
	if err := r.Client.List(ctx, &jobs, client.InNamespace(p.policy.Namespace),
		client.MatchingLabels{builders.ManagedByLabel: builders.ManagedByValue, builders.InstanceLabel: p.policy.Name}); err != nil {
		return err
	}
	runs := make([]platformv1.BackupRun, 0, len(p.records)+len(jobs.Items))
	recorded := map[string]bool{}
	for _, rec := range p.records {
		runs = append(runs, backupRunOfRecord(rec))
		recorded[rec.Job] = true
	}
	for i := range jobs.Items {
		if recorded[jobs.Items[i].Name] {
			continue // the runner's own record says more
		}
		if run, ok := backupRunOf(&jobs.Items[i]); ok {
			runs = append(runs, run)
		}
	}
	slices.SortStableFunc(runs, func(a, b platformv1.BackupRun) int {
		return -timeOf(a.StartTime).Compare(timeOf(b.StartTime))
	})
	if len(runs) > maxRecentRuns {
		runs = runs[:maxRecentRuns]
	}
	p.status.RecentRuns = runs
	if len(runs) == 0 {
		p.status.RecentRuns = nil
	}
	for _, run := range runs {
		if run.Kind != runBackup || run.State == "Running" {
			continue
		}
		// The newest finished backup run decides; storage already said
		// whether it left a backup.
		if last := p.status.LastBackup; run.State == "Failed" && (last == nil || timeOf(last.StartTime).Before(timeOf(run.StartTime))) {
			where := "see the run records in storage"
			if run.Job != "" {
				where = fmt.Sprintf("kubectl -n %s logs job/%s", p.policy.Namespace, run.Job)
			}
			p.Condition(platformv1.BackupLastSucceeded, false, platformv1.ReasonBackupFailed,
				"backup run %s failed: %s; earlier backups are untouched (%s)", runName(run), run.Message, where)
		}
		break
	}
	return nil
}

// backupRunOfRecord is a run as its runner recorded it in storage.
func backupRunOfRecord(rec backup.RunRecord) platformv1.BackupRun {
	run := platformv1.BackupRun{Job: rec.Job, Kind: rec.Kind, State: "Succeeded", StartTime: ptrTime(rec.Started),
		CompletionTime: ptrTime(rec.Finished), Backup: rec.BackupID, Message: rec.Message}
	if !rec.Succeeded {
		run.State = "Failed"
	}
	if len(run.Message) > 1000 {
		run.Message = run.Message[:1000] + "…"
	}
	return run
}

// runName names a run in messages: its Job, else its start time.
func runName(run platformv1.BackupRun) string {
	if run.Job != "" {
		return "Job " + run.Job
	}
	return "started " + timeOf(run.StartTime).UTC().Format(time.RFC3339)
}

// backupRunOf describes a Job of the policy's CronJobs (or one created from
// them by hand), telling backup from verification by the subcommand.
func backupRunOf(j *batchv1.Job) (platformv1.BackupRun, bool) {
	cs := j.Spec.Template.Spec.Containers
	if len(cs) == 0 || len(cs[0].Args) == 0 {
		return platformv1.BackupRun{}, false
	}
	run := platformv1.BackupRun{Job: j.Name, State: "Running", StartTime: j.Status.StartTime}
	switch cs[0].Args[0] {
	case "backup":
		run.Kind = runBackup
	case "verify":
		run.Kind = runVerification
	default:
		return platformv1.BackupRun{}, false
	}
	if run.StartTime == nil {
		ct := j.CreationTimestamp
		run.StartTime = &ct
	}
	done, failed := jobOutcome(j)
	switch {
	case failed != nil:
		run.State, run.CompletionTime = "Failed", &metav1.Time{Time: failed.LastTransitionTime.Time}
		run.Message = failed.Reason
		if failed.Message != "" {
			run.Message += ": " + failed.Message
		}
	case done != nil:
		run.State, run.CompletionTime = "Succeeded", j.Status.CompletionTime
	}
	return run, true
}

func timeOf(t *metav1.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.Time
}

// scheduleNext fills in the next backup and verification times from the
// CronJobs' schedules in their time zone.
func (p *backupPass) scheduleNext(zone string, now time.Time) {
	p.status.NextBackupTime, p.status.NextVerificationTime = nil, nil
	if p.policy.Spec.Suspend {
		return
	}
	p.status.NextBackupTime = nextRun(string(p.policy.Spec.Schedule), zone, now)
	if slices.Contains(p.scheduled, builders.VerifyCronJobName(p.policy)) {
		p.status.NextVerificationTime = nextRun(string(p.policy.Spec.Verification.Schedule), zone, now)
	}
}

func nextRun(schedule, zone string, now time.Time) *metav1.Time {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return nil
	}
	s, err := cron.ParseStandard(schedule)
	if err != nil {
		return nil
	}
	return &metav1.Time{Time: s.Next(now.In(loc)).UTC()}
}
