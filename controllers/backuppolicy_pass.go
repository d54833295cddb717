package controllers

import (
	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/backup"
	"bellwork.dev/bellwork/internal/reconcile"
)

// backupPass is one reconcile of one BackupPolicy.
type backupPass struct {
	reconcile.Pass
	policy *platformv1.BackupPolicy
	status platformv1.BackupPolicyStatus
	// tenant is the policy's Tenant; set by the tenant phase.
	tenant *platformv1.Tenant
	// scheduled names the CronJobs in place; set by the cronjobs phase.
	scheduled []string
	// records are the newest run records in storage; set by the
	// catalogue phase.
	records []backup.RunRecord
	// deleted are backups that left storage since the last look (see
	// status.backupIDs); announced once their removal from status is written.
	deleted []string
}

func newBackupPass(bp *platformv1.BackupPolicy) *backupPass {
	p := &backupPass{policy: bp, status: *bp.Status.DeepCopy()}
	p.Pass = reconcile.NewPass(bp.Generation, &p.status.Conditions)
	return p
}
