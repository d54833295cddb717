package backup

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// ErrRunning is returned when another backup of the same tenant holds the
// backup lock.
var ErrRunning = errors.New("another backup of this tenant is running")

// backupLockKey is the session advisory lock a backup run holds in the
// tenant database for its whole length. Advisory locks are per database,
// so one key serves every tenant. The CronJob's concurrencyPolicy Forbid
// keeps scheduled runs apart; this lock also keeps apart a Job created by
// hand (kubectl create job --from), a second CronJob, or `lms backup` run
// from a terminal. A killed runner's connection closes and the lock goes
// with it, so a crash never blocks the next run.
const backupLockKey = 0x62776b6275 // "bwkbu"

// lockTenant takes the backup lock without waiting: a second run fails
// at once, having touched nothing, rather than queueing behind the first.
func lockTenant(ctx context.Context, dbURL, tenant string) (release func(), err error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", redact(dbURL), err)
	}
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, int64(backupLockKey)).Scan(&got); err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("take the backup lock in database %s: %w", databaseOf(dbURL), err)
	}
	if !got {
		conn.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("%w: tenant %s's backup lock in database %s is held; this run wrote nothing", ErrRunning, tenant, databaseOf(dbURL))
	}
	// Closing the session releases the lock.
	return func() { conn.Close(context.WithoutCancel(ctx)) }, nil
}
