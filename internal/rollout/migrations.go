package rollout

import (
	"fmt"
	"slices"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// migrate runs a phase's migration for every affected tenant, a bounded
// number of Jobs at a time, and says whether all succeeded or which
// failed. A tenant whose migration of this revision succeeded in any
// attempt (recorded in status, or a Job that says so) never gets another
// Job: a completed migration is not run twice.
func (s *stepper) migrate(r *platformv1.RolloutStatus, phase platformv1.MigrationPhase) (done bool, failed *platformv1.MigrationResult) {
	cond := platformv1.DeploymentConditionMigrations
	if s.spec.Migrations.Disabled || len(s.obs.Tenants) == 0 {
		s.condition(cond, true, platformv1.ReasonMigrationsSkipped, "no %s migration to run (disabled, or no tenant)", phase)
		return true, nil
	}
	defer dropEmptyMigrations(r)
	running, succeeded := 0, 0
	var create []string
	for _, tenant := range s.obs.Tenants {
		res := findMigration(r, tenant, phase)
		if res.State == platformv1.MigrationSucceeded {
			succeeded++
			continue
		}
		var runs []JobRun
		if s.obs.JobsRevision == r.Revision {
			runs = s.obs.Migrations[MigrationKey{Tenant: tenant, Phase: phase}]
		}
		if i := slices.IndexFunc(runs, func(j JobRun) bool { return j.State == JobSucceeded }); i >= 0 {
			*res = platformv1.MigrationResult{Tenant: tenant, Phase: phase, State: platformv1.MigrationSucceeded, Attempt: runs[i].Attempt}
			succeeded++
			continue
		}
		i := slices.IndexFunc(runs, func(j JobRun) bool { return j.Attempt == r.Attempt })
		switch {
		case i < 0:
			create = append(create, tenant)
		case runs[i].State == JobFailed:
			*res = platformv1.MigrationResult{Tenant: tenant, Phase: phase, State: platformv1.MigrationFailed, Attempt: r.Attempt, Message: runs[i].Message}
			s.condition(cond, false, platformv1.ReasonMigrationFailed, "%s migration failed for tenant %s: %s", phase, tenant, runs[i].Message)
			return false, res
		default:
			*res = platformv1.MigrationResult{Tenant: tenant, Phase: phase, State: platformv1.MigrationRunning, Attempt: r.Attempt}
			running++
		}
	}
	for _, tenant := range create {
		if running >= MaxParallelMigrations {
			break
		}
		s.out.Migrations = append(s.out.Migrations, MigrationJob{Tenant: tenant, Phase: phase, Attempt: r.Attempt})
		*findMigration(r, tenant, phase) = platformv1.MigrationResult{Tenant: tenant, Phase: phase, State: platformv1.MigrationRunning, Attempt: r.Attempt}
		running++
	}
	if succeeded == len(s.obs.Tenants) {
		s.condition(cond, true, platformv1.ReasonMigrationsSucceeded, "%s migrations succeeded for %d tenant(s)", phase, succeeded)
		return true, nil
	}
	r.Message = s.progress(phase, succeeded, len(s.obs.Tenants))
	s.condition(cond, false, platformv1.ReasonMigrating, "%s", r.Message)
	return false, nil
}

func (s *stepper) progress(phase platformv1.MigrationPhase, done, total int) string {
	return fmt.Sprintf("%s migrations: %d of %d tenant(s) done", phase, done, total)
}

// findMigration is the status entry of a tenant's phase, added empty when missing.
func findMigration(r *platformv1.RolloutStatus, tenant string, phase platformv1.MigrationPhase) *platformv1.MigrationResult {
	for i := range r.Migrations {
		if r.Migrations[i].Tenant == tenant && r.Migrations[i].Phase == phase {
			return &r.Migrations[i]
		}
	}
	r.Migrations = append(r.Migrations, platformv1.MigrationResult{Tenant: tenant, Phase: phase})
	return &r.Migrations[len(r.Migrations)-1]
}

func dropEmptyMigrations(r *platformv1.RolloutStatus) {
	r.Migrations = slices.DeleteFunc(r.Migrations, func(m platformv1.MigrationResult) bool { return m.State == "" })
}
