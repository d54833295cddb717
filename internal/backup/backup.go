package backup

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"time"

	"github.com/jackc/pgx/v5"
)

// Options are what a backup run needs.
type Options struct {
	Tenant string
	// DatabaseURL connects as the tenant's backup role (BYPASSRLS, so the
	// dump holds every row), directly rather than through a pooler.
	DatabaseURL string
	Store       Store
	// Progress receives progress lines; Terminal makes them one live line.
	Progress io.Writer
	Terminal bool
	// Now is the clock (tests inject one); nil is time.Now.
	Now func() time.Time
	// Version is Bellwork's, recorded in the manifest.
	Version string
	// Job names the Kubernetes Job running this, for the run record.
	Job string
}

// orphanAge is how old a manifest-less object must be before a later run
// removes it as the remains of a failed one.
const orphanAge = 10 * time.Minute

// Run takes one backup and returns its manifest. On any failure nothing
// is left that looks like a backup: the dump upload is aborted or removed
// and no manifest is written. Good or failed, the run is recorded (see
// RecordRun) when storage takes the record.
func Run(ctx context.Context, o Options) (*Manifest, error) {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	if o.Tenant == "" || o.DatabaseURL == "" || o.Store == nil {
		return nil, errors.New("backup needs a tenant, a database URL and a store")
	}
	started := now().UTC()
	m, err := run(ctx, o, now, started)
	rec := RunRecord{Kind: RunBackup, Job: o.Job, Started: started, Finished: now().UTC(), Succeeded: err == nil}
	if err != nil {
		rec.Message = err.Error()
	} else {
		rec.BackupID = m.ID
		rec.ID = m.ID + "-backup"
	}
	if rerr := RecordRun(ctx, o.Store, o.Tenant, rec); rerr != nil && o.Progress != nil {
		fmt.Fprintf(o.Progress, "Could not record this run in %s: %v\n", o.Store, rerr)
	}
	return m, err
}

func run(ctx context.Context, o Options, now func() time.Time, started time.Time) (*Manifest, error) {
	id := started.Format("20060102T150405Z") + "-" + randomHex(3)
	m := &Manifest{ID: id, Tenant: o.Tenant, Database: databaseOf(o.DatabaseURL), Started: started, Format: "pg_dump custom (compressed)", Tools: ToolVersions{Bellwork: o.Version}}

	// The lock is held until the manifest is written: the sweep below must
	// not mistake a concurrent run's finished dump for a crashed one's.
	release, err := lockTenant(ctx, o.DatabaseURL, o.Tenant)
	if err != nil {
		return nil, fmt.Errorf("backup of tenant %s failed: %w", o.Tenant, err)
	}
	defer release()

	if removed, err := SweepOrphans(ctx, o.Store, o.Tenant, started, orphanAge); err != nil {
		return nil, err
	} else if len(removed) > 0 && o.Progress != nil {
		fmt.Fprintf(o.Progress, "Removed the remains of %d failed run(s): %v\n", len(removed), removed)
	}

	if err := dump(ctx, o, m); err != nil {
		// Abort left nothing on S3 and the folder store renames only
		// complete files, but a dump that completed before a later step
		// failed is there: remove it. The caller's ctx may be cancelled.
		cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_ = o.Store.Delete(cleanup, dumpKey(o.Tenant, id))
		return nil, fmt.Errorf("backup of tenant %s failed: %w", o.Tenant, err)
	}
	m.Finished = now().UTC()
	if err := putJSON(ctx, o.Store, manifestKey(o.Tenant, id), m); err != nil {
		cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_ = o.Store.Delete(cleanup, manifestKey(o.Tenant, id))
		_ = o.Store.Delete(cleanup, dumpKey(o.Tenant, id))
		return nil, fmt.Errorf("backup of tenant %s failed: %w", o.Tenant, err)
	}
	return m, nil
}

// dump streams pg_dump into the store while the same snapshot's row counts
// and checksums are read, and fills the manifest.
func dump(ctx context.Context, o Options, m *Manifest) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	conn, err := pgx.Connect(ctx, o.DatabaseURL)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", redact(o.DatabaseURL), err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	// One exported snapshot for pg_dump and the counts: the manifest
	// describes exactly the rows in the dump.
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("begin snapshot: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var snapshot string
	if err := tx.QueryRow(ctx, `SELECT pg_export_snapshot()`).Scan(&snapshot); err != nil {
		return fmt.Errorf("export snapshot: %w", err)
	}
	if err := tx.QueryRow(ctx, `SELECT version()`).Scan(&m.Tools.Server); err != nil {
		return fmt.Errorf("server version: %w", err)
	}
	if m.SchemaVersion, err = schemaVersion(ctx, tx); err != nil {
		return err
	}

	bin, err := pgBin("pg_dump")
	if err != nil {
		return err
	}
	m.Tools.PgDump = toolVersion(ctx, bin)
	target, env, err := libpqArgs(o.DatabaseURL)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, bin, "--format=custom", "--snapshot="+snapshot, "--no-password", "--dbname="+target)
	cmd.Env = env
	stderr := &lastLines{}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start pg_dump: %w", err)
	}
	meter := newMeter(o.Progress, o.Terminal, "Dumped")
	// The upload sees EOF only after pg_dump exited 0; a pg_dump that fails
	// or is killed mid-dump fails the read, so the upload is aborted
	// rather than completed with a truncated dump.
	src := &exitCheckedReader{r: io.TeeReader(stdout, meter), cmd: cmd, stderr: stderr}
	type result struct {
		n   int64
		err error
		// storageFirst: the upload failed while pg_dump was still fine,
		// so storage is the cause, not the dump.
		storageFirst bool
	}
	uploaded := make(chan result, 1)
	go func() {
		n, err := o.Store.Put(ctx, dumpKey(m.Tenant, m.ID), src)
		r := result{n: n, err: err}
		if err != nil {
			r.storageFirst = src.err == nil
			cancel() // stop pg_dump and the counts
		}
		uploaded <- r
	}()

	stats, statsErr := tableStats(ctx, tx)
	up := <-uploaded
	src.wait() // reap pg_dump when the upload gave up early
	switch {
	case up.err != nil && up.storageFirst:
		return fmt.Errorf("upload to %s: %w", o.Store, up.err)
	case src.err != nil:
		return src.err
	case up.err != nil:
		return fmt.Errorf("upload to %s: %w", o.Store, up.err)
	case statsErr != nil:
		return statsErr
	}
	meter.done()
	m.Size, m.SHA256 = meter.sum()
	if up.n != m.Size {
		return fmt.Errorf("storage stored %d bytes of %d", up.n, m.Size)
	}
	m.Tables = stats
	m.DumpSeconds = time.Since(meter.start).Seconds()
	return nil
}

// exitCheckedReader returns io.EOF only when the command exited 0.
type exitCheckedReader struct {
	r      io.Reader
	cmd    *exec.Cmd
	stderr *lastLines
	waited bool
	err    error
}

func (e *exitCheckedReader) Read(p []byte) (int, error) {
	// Readers may read again after EOF; the pipe is closed by then.
	if e.waited {
		if e.err != nil {
			return 0, e.err
		}
		return 0, io.EOF
	}
	n, err := e.r.Read(p)
	if err == io.EOF {
		e.wait()
		if e.err != nil {
			return n, e.err
		}
	}
	return n, err
}

func (e *exitCheckedReader) wait() {
	if e.waited {
		return
	}
	e.waited = true
	if err := e.cmd.Wait(); err != nil {
		e.err = fmt.Errorf("pg_dump failed (%v): %s", err, e.stderr)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
