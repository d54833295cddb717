package tenancy

import (
	"context"
	"fmt"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/audit"
	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
	"bellwork.dev/bellwork/apps/lms/internal/migrations"
	"bellwork.dev/bellwork/apps/lms/internal/schools"
	"bellwork.dev/bellwork/pkg/directory"
)

// ConvergeDatabase brings a tenant's database to its directory entry:
// expand migrations (as the owner, under an advisory lock, so replicas can
// race safely), the schools listed (and those no longer listed archived,
// never deleted), invitations for the listed admins, and the report the
// operator reads back (schools synced, milestones). It is idempotent.
func ConvergeDatabase(ctx context.Context, t *Tenant, d *db.DB, now time.Time) error {
	e := t.Entry
	if _, err := migrations.Run(ctx, e.Database.OwnerURL(), migrations.Expand, nil); err != nil {
		return err
	}
	return d.InTx(ctx, db.SystemActor(), func(s *db.Scope) error {
		codes := make([]string, 0, len(e.Schools))
		branded := false
		for _, sch := range e.Schools {
			if _, err := schools.UpsertSchool(ctx, s, sch); err != nil {
				return fmt.Errorf("school %s: %w", sch.Code, err)
			}
			codes = append(codes, sch.Code)
			branded = branded || sch.Branding.PrimaryColor != "" || sch.Branding.LogoURL != ""
		}
		archived, err := schools.ArchiveSchoolsExcept(ctx, s, codes)
		if err != nil {
			return err
		}
		students, err := schools.SchoolStudentCounts(ctx, s)
		if err != nil {
			return err
		}
		for _, sch := range e.Schools {
			st := directory.SchoolStatus{Hash: directory.SchoolHash(sch), SyncedAt: now.UTC(), ActiveStudents: students[sch.Code]}
			if err := schools.ReportSchool(ctx, s, sch.Code, st); err != nil {
				return err
			}
		}
		for _, code := range archived {
			if err := schools.ReportSchool(ctx, s, code, directory.SchoolStatus{Archived: true, SyncedAt: now.UTC()}); err != nil {
				return err
			}
		}
		if len(e.Schools) > 0 {
			if err := schools.ReachMilestone(ctx, s, directory.MilestoneSchoolsSynced, now); err != nil {
				return err
			}
		}
		if branded {
			if err := schools.ReachMilestone(ctx, s, directory.MilestoneBrandingSet, now); err != nil {
				return err
			}
		}
		for _, a := range e.Admins {
			created, err := identity.EnsureInvitation(ctx, s, a.Email, db.DistrictAdmin, "", a.TokenSHA256, a.ExpiresAt, "")
			if err != nil {
				return fmt.Errorf("invite %s: %w", a.Email, err)
			}
			if created {
				if err := audit.Audit(ctx, s, "invitation.create", a.Email, map[string]any{"role": db.DistrictAdmin, "by": "directory"}, ""); err != nil {
					return err
				}
			}
		}
		if len(e.Admins) > 0 {
			return schools.ReachMilestone(ctx, s, directory.MilestoneAdminInvited, now)
		}
		return nil
	})
}
