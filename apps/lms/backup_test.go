package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/apps/lms/internal/lmstest"
	"bellwork.dev/bellwork/internal/backup"
)

// The subcommands as a Job or an engineer runs them: storage from the
// environment (a folder here; S3 is covered in internal/backup), the
// credentials from a file as a mounted Secret provides them.
func TestBackupVerifyRestoreSubcommands(t *testing.T) {
	ctx := context.Background()
	d := lmstest.TenantDB(t)
	t.Setenv("BACKUP_PATH", t.TempDir())
	t.Setenv("BELLWORK_TENANT", "cli")
	t.Setenv("BACKUP_DATABASE_URL", lmstest.BackupURL(t, d))
	admin := lmstest.Server.AdminURL("postgres")

	if err := backupCmd(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := restoreCmd(ctx, []string{"--admin-url", admin, "--database", d.Name + "_copy"}); err == nil || !strings.Contains(err.Error(), "no verified backup") {
		t.Fatalf("restore before verification: %v, want a refusal", err)
	}
	if err := verifyCmd(ctx, []string{"--admin-url", admin, "--assert", "(SELECT count(*) FROM schools) = 0"}); err != nil {
		t.Fatal(err)
	}
	if err := restoreCmd(ctx, []string{"--admin-url", admin, "--database", d.Name, "--owner", d.Owner.User}); err == nil || !strings.Contains(err.Error(), "restore only creates new databases") {
		t.Fatalf("restore over the live database: %v, want a refusal", err)
	}
	if err := restoreCmd(ctx, []string{"--admin-url", admin, "--database", d.Name + "_copy", "--owner", d.Owner.User}); err != nil {
		t.Fatal(err)
	}
	if err := verifyCmd(ctx, []string{"--admin-url", admin, "--assert", "false"}); err == nil || !strings.Contains(err.Error(), `assertion "false" is false`) {
		t.Fatalf("verify with a false assertion: %v", err)
	}
	if err := restoreCmd(ctx, []string{"--list"}); err != nil {
		t.Fatal(err)
	}
	// Retention after a second backup: keep-last 1 deletes the first one,
	// whose latest verification failed, so it is not protected.
	if err := backupCmd(ctx, []string{"--keep-last", "1"}); err != nil {
		t.Fatal(err)
	}
	if all, err := backup.List(ctx, backup.FolderStore{Dir: os.Getenv("BACKUP_PATH")}, "cli"); err != nil || len(all) != 1 {
		t.Fatalf("after retention: %d backups (%v), want 1", len(all), err)
	}
	// The newest verification failed (the false assertion), so there is
	// no verified backup to restore by default; naming it works.
	if err := restoreCmd(ctx, []string{"--admin-url", admin, "--database", d.Name + "_copy2", "--owner", d.Owner.User}); err == nil {
		t.Fatal("restored a backup whose latest verification failed")
	}
	// What the backup CronJob runs by default: verification right after the
	// backup, then retention.
	t.Setenv("VERIFY_DATABASE_URL", admin)
	if err := backupCmd(ctx, []string{"--verify", "--assert", "(SELECT count(*) FROM schools) = 0", "--keep-last", "5"}); err != nil {
		t.Fatal(err)
	}
	if m, err := backup.Latest(ctx, backup.FolderStore{Dir: os.Getenv("BACKUP_PATH")}, "cli", true); err != nil || m.Verification == nil || !m.Verification.Passed {
		t.Fatalf("the backup taken with --verify is not the newest verified one: %+v, %v", m, err)
	}
}

// What Tenant.spec.database.restoreFrom runs: a verified backup restored
// into a database provisioned empty for a new tenant, as that tenant's
// owner, checked as its backup role; a database with tables is refused.
func TestRestoreIntoAProvisionedDatabase(t *testing.T) {
	ctx := context.Background()
	d := lmstest.TenantDB(t)
	t.Setenv("BACKUP_PATH", t.TempDir())
	t.Setenv("BELLWORK_TENANT", "source")
	t.Setenv("BACKUP_DATABASE_URL", lmstest.BackupURL(t, d))
	admin := lmstest.Server.AdminURL("postgres")
	if err := backupCmd(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := verifyCmd(ctx, []string{"--admin-url", admin}); err != nil {
		t.Fatal(err)
	}

	target, err := lmstest.Provision(ctx, lmstest.Server, d.Name+"_new")
	if err != nil {
		t.Fatal(err)
	}
	check := lmstest.BackupURL(t, target)
	// The operator's grants phase gives the backup role SELECT on what the
	// owner creates later, by default privileges.
	conn, err := pgx.Connect(ctx, lmstest.Server.AdminURL(target.Name))
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, fmt.Sprintf("ALTER DEFAULT PRIVILEGES FOR ROLE %s IN SCHEMA public GRANT SELECT ON TABLES TO %s",
		pgx.Identifier{target.Owner.User}.Sanitize(), pgx.Identifier{target.Name + "_backup"}.Sanitize()))
	conn.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}

	if err := restoreCmd(ctx, []string{"--owner-url", target.OwnerURL(), "--check-url", check}); err != nil {
		t.Fatal(err)
	}
	// --no-privileges left out the source's grants; what the migrations
	// took from PUBLIC is put back, or any role could set a user context.
	conn, err = pgx.Connect(ctx, lmstest.Server.AdminURL(target.Name))
	if err != nil {
		t.Fatal(err)
	}
	var publicMay bool
	err = conn.QueryRow(ctx, `SELECT has_function_privilege('public', 'bw_establish(uuid, text, uuid)', 'EXECUTE')`).Scan(&publicMay)
	conn.Close(ctx)
	if err != nil || publicMay {
		t.Fatalf("after the restore PUBLIC may execute bw_establish: %v (%v)", publicMay, err)
	}
	if err := restoreCmd(ctx, []string{"--owner-url", target.OwnerURL(), "--check-url", check}); err == nil || !strings.Contains(err.Error(), "never writes over") {
		t.Fatalf("second restore into the same database: %v, want a refusal", err)
	}
	if err := restoreCmd(ctx, []string{"--owner-url", d.OwnerURL(), "--check-url", check}); err == nil || !strings.Contains(err.Error(), "never writes over") {
		t.Fatalf("restore over the live source database: %v, want a refusal", err)
	}
}
