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

// RestoreOptions are what a restore needs.
type RestoreOptions struct {
	Tenant string
	// ID is the backup; empty restores the newest verified one.
	ID    string
	Store Store
	// AdminURL connects to the target server as a role that may create
	// databases.
	AdminURL string
	// Database is the database to create; Owner owns it and everything
	// restored into it.
	Database string
	Owner    string
	// Replace drops an existing Database first. Without it an existing
	// database is never touched.
	Replace  bool
	Progress io.Writer
	Terminal bool
}

// Restore creates a new database from a backup and checks it against the
// manifest like a verification does. It returns the manifest restored.
func Restore(ctx context.Context, o RestoreOptions) (*Manifest, error) {
	if o.Database == "" {
		return nil, errors.New("restore needs the name of the database to create")
	}
	m, err := Choose(ctx, o.Store, o.Tenant, o.ID, true)
	if err != nil {
		return nil, err
	}
	admin, err := pgx.Connect(ctx, o.AdminURL)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", redact(o.AdminURL), err)
	}
	defer admin.Close(context.WithoutCancel(ctx))
	db := pgx.Identifier{o.Database}.Sanitize()
	var exists bool
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, o.Database).Scan(&exists); err != nil {
		return nil, err
	}
	if exists && !o.Replace {
		return nil, fmt.Errorf("database %s exists: restore only creates new databases (pass --replace to drop it first): %w", o.Database, errExists)
	}
	if exists {
		if _, err := admin.Exec(ctx, "DROP DATABASE "+db+" WITH (FORCE)"); err != nil {
			return nil, fmt.Errorf("drop database %s: %w", o.Database, err)
		}
	}
	create := "CREATE DATABASE " + db
	if o.Owner != "" {
		create += " OWNER " + pgx.Identifier{o.Owner}.Sanitize()
	}
	if _, err := admin.Exec(ctx, create); err != nil {
		return nil, fmt.Errorf("create database %s: %w", o.Database, err)
	}
	fail := func(err error) (*Manifest, error) {
		// Leave no half-restored district behind for someone to point at.
		drop, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		_, _ = admin.Exec(drop, "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)")
		return nil, fmt.Errorf("restore of backup %s into %s failed: %w", m.ID, o.Database, err)
	}
	if o.Owner != "" {
		// The owner's schema, as the operator provisions it.
		dbAdmin, err := withDatabase(o.AdminURL, o.Database)
		if err != nil {
			return fail(err)
		}
		c, err := pgx.Connect(ctx, dbAdmin)
		if err != nil {
			return fail(err)
		}
		_, err = c.Exec(ctx, "ALTER SCHEMA public OWNER TO "+pgx.Identifier{o.Owner}.Sanitize())
		c.Close(ctx)
		if err != nil {
			return fail(err)
		}
	}
	targetURL, err := withDatabase(o.AdminURL, o.Database)
	if err != nil {
		return fail(err)
	}
	restoreErr, size, sum, _, err := restoreStream(ctx, o.Store, m, targetURL, o.Owner, o.Progress, o.Terminal)
	if err != nil {
		return fail(err)
	}
	if size != m.Size || sum != m.SHA256 {
		return fail(fmt.Errorf("object checksum mismatch: the stored dump is not the one the manifest describes"))
	}
	if restoreErr != nil {
		return fail(restoreErr)
	}
	conn, err := pgx.Connect(ctx, targetURL)
	if err != nil {
		return fail(err)
	}
	if err := restorePublicACLs(ctx, o.Store, m, conn); err != nil {
		conn.Close(ctx)
		return fail(err)
	}
	problems := compareRestored(ctx, conn, m)
	conn.Close(ctx)
	if len(problems) > 0 {
		return fail(errors.New(strings.Join(problems, "; ")))
	}
	return m, nil
}
