package backup

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"time"
)

// restoreStream pipes a backup's dump from the store into pg_restore
// (never to local disk) and hashes every byte of the object on the way,
// including any pg_restore left unread. It returns pg_restore's failure,
// the bytes and SHA-256 seen, and how long the restore took.
func restoreStream(ctx context.Context, s Store, m *Manifest, targetURL, role string, progress io.Writer, terminal bool) (restoreErr error, size int64, sum string, took time.Duration, err error) {
	obj, err := s.Get(ctx, dumpKey(m.Tenant, m.ID))
	if err != nil {
		return nil, 0, "", 0, fmt.Errorf("open backup %s: %w", m.ID, err)
	}
	defer obj.Close()
	bin, err := pgBin("pg_restore")
	if err != nil {
		return nil, 0, "", 0, err
	}
	target, env, err := libpqArgs(targetURL)
	if err != nil {
		return nil, 0, "", 0, err
	}
	// Ownership and grants name the source tenant's roles; the target's
	// own roles take over (see docs/backups.md). One transaction: a failed
	// restore leaves an empty database, not half of one.
	args := []string{"--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--no-password", "--dbname=" + target}
	if role != "" {
		args = append(args, "--role="+role)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	meter := newMeter(progress, terminal, "Restored")
	cmd.Stdin = io.TeeReader(obj, meter)
	stderr := &lastLines{}
	cmd.Stderr = stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		restoreErr = fmt.Errorf("pg_restore failed (%v): %s", err, stderr)
	}
	took = time.Since(start)
	// Hash the rest: a dump pg_restore stopped reading is still checked.
	if _, err := io.Copy(meter, obj); err != nil {
		return restoreErr, 0, "", took, fmt.Errorf("read backup %s: %w", m.ID, err)
	}
	meter.done()
	size, sum = meter.sum()
	return restoreErr, size, sum, took, nil
}
