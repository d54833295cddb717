package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"bellwork.dev/bellwork/internal/backup"
	"bellwork.dev/bellwork/internal/backup/retention"
)

// The backup subcommands take storage from the environment (see
// internal/backup/config.go) and connections from flags or, in Jobs, from
// these variables or files of a mounted Secret.
const (
	envTenant     = "BELLWORK_TENANT"
	envBackupURL  = "BACKUP_DATABASE_URL"
	envVerifyURL  = "VERIFY_DATABASE_URL"
	envRestoreURL = "RESTORE_DATABASE_URL"
	envOwnerURL   = "RESTORE_OWNER_URL"
	envCheckURL   = "RESTORE_CHECK_URL"
	// envJobName names the Kubernetes Job running a command (the backup
	// CronJobs set it), for the run records in storage.
	envJobName     = "BELLWORK_JOB_NAME"
	storageHelpTxt = "storage: $BACKUP_PATH (a folder), or $BACKUP_S3_ENDPOINT, $BACKUP_S3_BUCKET, $BACKUP_S3_PREFIX, $BACKUP_S3_REGION, $BACKUP_S3_INSECURE=true (plain HTTP), $BACKUP_S3_SSE (S3 or kms:<key>), $BACKUP_S3_ACCESS_KEY[_FILE], $BACKUP_S3_SECRET_KEY[_FILE]"
)

// stderrIsTerminal decides between a live progress line and log lines.
func stderrIsTerminal() bool {
	fi, err := os.Stderr.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// fromFlagOrEnv returns the flag's value, else $name, else the file named
// by $name_FILE.
func fromFlagOrEnv(flagValue, name string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	return backup.Secret(os.Getenv, name)
}

func backupCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	tenant := fs.String("tenant", os.Getenv(envTenant), "tenant whose database this is (names the backups in storage); default $"+envTenant)
	dbURL := fs.String("database-url", "", "tenant database URL as its backup role, connecting directly; default $"+envBackupURL+"[_FILE]")
	var keep retention.Policy
	fs.IntVar(&keep.KeepLast, "keep-last", 0, "after a successful backup, keep the n newest backups")
	fs.IntVar(&keep.Daily, "keep-daily", 0, "... and the newest of each of the last n days with a backup")
	fs.IntVar(&keep.Weekly, "keep-weekly", 0, "... and of each of the last n ISO weeks")
	fs.IntVar(&keep.Monthly, "keep-monthly", 0, "... and of each of the last n months")
	fs.DurationVar(&keep.MaxAge, "max-age", 0, "delete backups older than this (e.g. 2160h); the newest verified backup is always kept")
	zone := fs.String("time-zone", "UTC", "IANA time zone whose days, weeks and months the retention tiers count")
	verify := fs.Bool("verify", false, "verify the new backup right after it is written, before retention (as lms verify, with $"+envVerifyURL+"[_FILE])")
	maxRestore := fs.Duration("max-restore", 0, "with --verify: fail when the restore takes longer")
	var asserts assertions
	fs.Var(&asserts, "assert", "with --verify: SQL expression that must be true in the restored database (repeatable)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: lms backup [flags]\n\n%s\n\n", storageHelpTxt)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	target, err := fromFlagOrEnv(*dbURL, envBackupURL)
	if err != nil {
		return err
	}
	store, err := tenantStore(*tenant)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(*zone)
	if err != nil {
		return fmt.Errorf("--time-zone: %w", err)
	}
	fmt.Fprintf(os.Stderr, "Backing up tenant %s to %s...\n", *tenant, store)
	m, err := backup.Run(ctx, backup.Options{Tenant: *tenant, DatabaseURL: target, Store: store, Progress: os.Stderr, Terminal: stderrIsTerminal(),
		Job: os.Getenv(envJobName)})
	if err != nil {
		return err
	}
	var rows int64
	for _, t := range m.Tables {
		rows += t.Rows
	}
	fmt.Printf("Backup %s of tenant %s: %d tables, %d rows, %s in %.1fs, sha256 %s\n",
		m.ID, m.Tenant, len(m.Tables), rows, size(m.Size), m.DumpSeconds, m.SHA256)
	if *verify {
		// Before retention: a backup that fails its verification is no
		// reason to delete older ones.
		args := []string{"--tenant=" + *tenant, "--backup=" + m.ID}
		if *maxRestore > 0 {
			args = append(args, "--max-restore="+maxRestore.String())
		}
		for _, a := range asserts {
			args = append(args, "--assert="+a)
		}
		if err := verifyCmd(ctx, args); err != nil {
			return err
		}
	}
	if keep == (retention.Policy{}) {
		return nil
	}
	// Retention runs only after a good backup, so a failing schedule never
	// eats into the backups that still exist.
	decisions, err := backup.Prune(ctx, store, *tenant, keep, time.Now(), loc)
	for _, d := range decisions {
		if !d.Keep {
			fmt.Printf("Deleted backup %s: %s\n", d.ID, strings.Join(d.Reasons, "; "))
		}
	}
	if err != nil {
		return fmt.Errorf("retention: %w", err)
	}
	return nil
}

// assertions collects repeated --assert flags.
type assertions []string

func (a *assertions) String() string     { return strings.Join(*a, "; ") }
func (a *assertions) Set(s string) error { *a = append(*a, s); return nil }

func verifyCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	tenant := fs.String("tenant", os.Getenv(envTenant), "tenant whose backup to verify; default $"+envTenant)
	id := fs.String("backup", "", "backup id; default the newest backup")
	adminURL := fs.String("admin-url", "", "verification server URL as a role that may create databases; default $"+envVerifyURL+"[_FILE]")
	maxRestore := fs.Duration("max-restore", 0, "fail when the restore takes longer (e.g. 30m); 0 means no limit")
	var asserts assertions
	fs.Var(&asserts, "assert", "SQL expression that must be true in the restored database (repeatable), e.g. \"(SELECT count(*) FROM users) > 0\"")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: lms verify [flags]\n\n%s\n\n", storageHelpTxt)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	admin, err := fromFlagOrEnv(*adminURL, envVerifyURL)
	if err != nil {
		return err
	}
	store, err := tenantStore(*tenant)
	if err != nil {
		return err
	}
	v, err := backup.Verify(ctx, backup.VerifyOptions{Tenant: *tenant, ID: *id, Store: store, AdminURL: admin,
		Assertions: asserts, MaxRestore: *maxRestore, Progress: os.Stderr, Terminal: stderrIsTerminal(), Job: os.Getenv(envJobName)})
	if err != nil {
		return err
	}
	if !v.Passed {
		return fmt.Errorf("backup %s of tenant %s failed verification: %s", v.BackupID, *tenant, strings.Join(v.Problems, "; "))
	}
	fmt.Printf("Backup %s of tenant %s verified: restored in %.1fs, every table's rows and checksum match the manifest.\n", v.BackupID, *tenant, v.RestoreSeconds)
	return nil
}

func restoreCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	tenant := fs.String("tenant", os.Getenv(envTenant), "tenant whose backup to restore; default $"+envTenant)
	id := fs.String("backup", "", "backup id; default the newest verified backup")
	adminURL := fs.String("admin-url", "", "target server URL as a role that may create databases; default $"+envRestoreURL+"[_FILE]")
	database := fs.String("database", "", "database to create and restore into (must not exist)")
	owner := fs.String("owner", "", "role that will own the database and everything restored (the new tenant's owner role)")
	replace := fs.Bool("replace", false, "drop --database first if it exists (destroys its data)")
	list := fs.Bool("list", false, "list the tenant's backups instead of restoring")
	ownerURL := fs.String("owner-url", "", "restore into this existing, empty database as its owner instead of creating one (what Tenant.spec.database.restoreFrom runs); default $"+envOwnerURL+"[_FILE]")
	checkURL := fs.String("check-url", "", "with --owner-url: the same database as a role that sees every row (the backup role), to check the restore; default $"+envCheckURL+"[_FILE]")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: lms restore [flags]\n\n%s\n\n", storageHelpTxt)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, err := tenantStore(*tenant)
	if err != nil {
		return err
	}
	if *list {
		return listBackups(ctx, os.Stdout, store, *tenant)
	}
	if *ownerURL != "" || os.Getenv(envOwnerURL) != "" || os.Getenv(envOwnerURL+"_FILE") != "" {
		return restoreIntoCmd(ctx, *tenant, *id, store, *ownerURL, *checkURL)
	}
	admin, err := fromFlagOrEnv(*adminURL, envRestoreURL)
	if err != nil {
		return err
	}
	m, err := backup.Restore(ctx, backup.RestoreOptions{Tenant: *tenant, ID: *id, Store: store, AdminURL: admin,
		Database: *database, Owner: *owner, Replace: *replace, Progress: os.Stderr, Terminal: stderrIsTerminal()})
	if err != nil {
		return err
	}
	fmt.Printf("Restored backup %s of tenant %s (taken %s) into database %s; every table's rows and checksum match the manifest.\n",
		m.ID, m.Tenant, m.Started.Format(time.RFC3339), *database)
	return nil
}

// restoreIntoCmd restores into a database the operator provisioned, as
// its owner, and checks it as the backup role.
func restoreIntoCmd(ctx context.Context, tenant, id string, store backup.Store, ownerFlag, checkFlag string) error {
	ownerURL, err := fromFlagOrEnv(ownerFlag, envOwnerURL)
	if err != nil {
		return err
	}
	checkURL, err := fromFlagOrEnv(checkFlag, envCheckURL)
	if err != nil {
		return err
	}
	m, err := backup.RestoreInto(ctx, backup.RestoreIntoOptions{Tenant: tenant, ID: id, Store: store,
		OwnerURL: ownerURL, CheckURL: checkURL, Progress: os.Stderr, Terminal: stderrIsTerminal()})
	if err != nil {
		return err
	}
	fmt.Printf("Restored backup %s of tenant %s (taken %s); every table's rows and checksum match the manifest.\n",
		m.ID, m.Tenant, m.Started.Format(time.RFC3339))
	return nil
}

func listBackups(ctx context.Context, w io.Writer, store backup.Store, tenant string) error {
	all, err := backup.List(ctx, store, tenant)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%-26s %-20s %10s  %s\n", "BACKUP", "TAKEN", "SIZE", "VERIFIED")
	for _, m := range all {
		verified := "not yet"
		if v := m.Verification; v != nil && v.Passed {
			verified = "passed " + v.Finished.Format(time.RFC3339)
		} else if v != nil {
			verified = "FAILED: " + strings.Join(v.Problems, "; ")
		}
		fmt.Fprintf(w, "%-26s %-20s %10s  %s\n", m.ID, m.Started.Format(time.RFC3339), size(m.Size), verified)
	}
	return nil
}

func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	default:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
}

// tenantStore is the backup storage the environment describes, for a
// command that must be told its tenant.
func tenantStore(tenant string) (backup.Store, error) {
	if tenant == "" {
		return nil, errors.New("give --tenant or $" + envTenant)
	}
	return backup.StoreFromEnv(os.Getenv)
}
