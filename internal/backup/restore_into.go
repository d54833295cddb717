package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// RestoreIntoOptions are what a restore into a provisioned database needs.
type RestoreIntoOptions struct {
	Tenant string
	// ID is the backup; empty restores the newest verified one.
	ID    string
	Store Store
	// OwnerURL connects to the target database as its owner: the restored
	// objects are the owner's, as if its migrations had made them.
	OwnerURL string
	// CheckURL connects to the target database as a role that sees every
	// row (the tenant's backup role, BYPASSRLS, with SELECT by default
	// privileges), to compare the restore with the manifest.
	CheckURL string
	Progress io.Writer
	Terminal bool
}

// RestoreInto restores a backup into an existing, empty database that the
// operator provisioned (Tenant.spec.database.restoreFrom): no admin role is
// needed, only the new tenant's owner and backup roles. A database with any
// table in it is refused, so a district's data is never overwritten; a
// restore that fails its checks is removed again, leaving the database
// empty for another try.
func RestoreInto(ctx context.Context, o RestoreIntoOptions) (*Manifest, error) {
	m, err := Choose(ctx, o.Store, o.Tenant, o.ID, true)
	if err != nil {
		return nil, err
	}
	owner, err := pgx.Connect(ctx, o.OwnerURL)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", redact(o.OwnerURL), err)
	}
	defer owner.Close(context.WithoutCancel(ctx))
	db := databaseOf(o.OwnerURL)
	var tables int
	if err := owner.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`).Scan(&tables); err != nil {
		return nil, fmt.Errorf("inspect database %s: %w", db, err)
	}
	if tables > 0 {
		return nil, fmt.Errorf("database %s already has %d tables: a restore never writes over a district's data: %w", db, tables, errExists)
	}
	fail := func(err error) (*Manifest, error) {
		// Leave the database empty, as provisioned, for another try. The
		// operator puts back the schema's grants on its next pass.
		clean, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		_, _ = owner.Exec(clean, "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")
		return nil, fmt.Errorf("restore of backup %s into %s failed: %w", m.ID, db, err)
	}
	restoreErr, size, sum, _, err := restoreStream(ctx, o.Store, m, o.OwnerURL, "", o.Progress, o.Terminal)
	if err != nil {
		return fail(err)
	}
	if size != m.Size || sum != m.SHA256 {
		return fail(errors.New("object checksum mismatch: the stored dump is not the one the manifest describes"))
	}
	if restoreErr != nil {
		// pg_restore ran in one transaction: nothing of it is left.
		return nil, fmt.Errorf("restore of backup %s into %s failed: %w", m.ID, db, restoreErr)
	}
	if err := restorePublicACLs(ctx, o.Store, m, owner); err != nil {
		return fail(err)
	}
	check, err := pgx.Connect(ctx, o.CheckURL)
	if err != nil {
		return fail(fmt.Errorf("connect to %s to check the restore: %w", redact(o.CheckURL), err))
	}
	problems := compareRestored(ctx, check, m)
	check.Close(ctx)
	if len(problems) > 0 {
		return fail(errors.New(strings.Join(problems, "; ")))
	}
	return m, nil
}
