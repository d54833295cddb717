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

// VerifyOptions are what a verification run needs.
type VerifyOptions struct {
	Tenant string
	// ID is the backup to verify; empty verifies the newest.
	ID    string
	Store Store
	// AdminURL connects to the verification server as a role that may
	// create and drop databases (any database on it, e.g. postgres).
	AdminURL string
	// Assertions are SQL expressions that must be true in the restored
	// database, e.g. "(SELECT count(*) FROM users) > 0".
	Assertions []string
	// MaxRestore fails a restore that took longer; 0 means no limit.
	MaxRestore time.Duration
	Progress   io.Writer
	Terminal   bool
	Now        func() time.Time
	// Job names the Kubernetes Job running this, for the run record.
	Job string
}

// Verify restores a backup into a throwaway database, checks it against
// its manifest, drops the database and records the result next to the
// backup. A failed check is a Verification with Passed false; an error
// means no result could be recorded.
func Verify(ctx context.Context, o VerifyOptions) (*Verification, error) {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	started := now().UTC()
	v, err := verify(ctx, o, now)
	rec := RunRecord{Kind: RunVerification, Job: o.Job, Started: started, Finished: now().UTC(), BackupID: o.ID}
	switch {
	case err != nil:
		rec.Message = err.Error()
	case !v.Passed:
		rec.Message = strings.Join(v.Problems, "; ")
	default:
		rec.Succeeded = true
	}
	if v != nil {
		rec.BackupID = v.BackupID
	}
	if rerr := RecordRun(ctx, o.Store, o.Tenant, rec); rerr != nil && o.Progress != nil {
		fmt.Fprintf(o.Progress, "Could not record this run in %s: %v\n", o.Store, rerr)
	}
	return v, err
}

func verify(ctx context.Context, o VerifyOptions, now func() time.Time) (*Verification, error) {
	m, err := Choose(ctx, o.Store, o.Tenant, o.ID, false)
	if err != nil {
		return nil, err
	}
	v := &Verification{BackupID: m.ID, Started: now().UTC(), Server: redactHost(o.AdminURL)}
	v.Problems, v.RestoreSeconds, err = check(ctx, o, m)
	if err != nil {
		return nil, err
	}
	v.Finished = now().UTC()
	v.Passed = len(v.Problems) == 0
	if err := putJSON(ctx, o.Store, verificationKey(m.Tenant, m.ID), v); err != nil {
		return v, fmt.Errorf("record verification: %w", err)
	}
	return v, nil
}

func check(ctx context.Context, o VerifyOptions, m *Manifest) (problems []string, restoreSeconds float64, err error) {
	admin, err := pgx.Connect(ctx, o.AdminURL)
	if err != nil {
		return nil, 0, fmt.Errorf("connect to the verification server %s: %w", redact(o.AdminURL), err)
	}
	defer admin.Close(context.WithoutCancel(ctx))
	name := "bw_verify_" + strings.ToLower(strings.NewReplacer("-", "_").Replace(m.ID)) + "_" + randomHex(2)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return nil, 0, fmt.Errorf("create throwaway database: %w", err)
	}
	defer func() {
		drop, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if _, derr := admin.Exec(drop, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); derr != nil && err == nil {
			err = fmt.Errorf("drop throwaway database %s: %w", name, derr)
		}
	}()
	targetURL, err := withDatabase(o.AdminURL, name)
	if err != nil {
		return nil, 0, err
	}
	restoreErr, size, sum, took, err := restoreStream(ctx, o.Store, m, targetURL, "", o.Progress, o.Terminal)
	if err != nil {
		return nil, 0, err
	}
	restoreSeconds = took.Seconds()
	if size != m.Size || sum != m.SHA256 {
		problems = append(problems, fmt.Sprintf("object checksum mismatch: stored object has %d bytes, SHA-256 %s; manifest says %d bytes, %s", size, short(sum), m.Size, short(m.SHA256)))
	}
	if restoreErr != nil {
		return append(problems, restoreErr.Error()), restoreSeconds, nil
	}
	if o.MaxRestore > 0 && took > o.MaxRestore {
		problems = append(problems, fmt.Sprintf("restore took %s, more than the allowed %s", took.Round(time.Second), o.MaxRestore))
	}
	conn, err := pgx.Connect(ctx, targetURL)
	if err != nil {
		return nil, 0, fmt.Errorf("connect to the throwaway database: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	problems = append(problems, compareRestored(ctx, conn, m)...)
	for _, a := range o.Assertions {
		var ok bool
		if err := conn.QueryRow(ctx, "SELECT ("+a+")::boolean").Scan(&ok); err != nil {
			problems = append(problems, fmt.Sprintf("assertion %q failed to run: %v", a, err))
		} else if !ok {
			problems = append(problems, fmt.Sprintf("assertion %q is false", a))
		}
	}
	return problems, restoreSeconds, nil
}

// compareRestored checks a restored database's tables and schema version
// against the manifest.
func compareRestored(ctx context.Context, conn *pgx.Conn, m *Manifest) []string {
	stats, err := tableStats(ctx, conn)
	if err != nil {
		return []string{err.Error()}
	}
	problems := compareTables(m.Tables, stats)
	version, err := schemaVersion(ctx, conn)
	switch {
	case err != nil:
		problems = append(problems, err.Error())
	case version != m.SchemaVersion:
		problems = append(problems, fmt.Sprintf("schema version %q after restore, manifest says %q", version, m.SchemaVersion))
	}
	return problems
}

func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12] + "…"
	}
	return sum
}

func redactHost(dbURL string) string {
	r := redact(dbURL)
	if i := strings.Index(r, "@"); i >= 0 {
		return r[i+1:]
	}
	return r
}

var errExists = errors.New("database exists")
