package checks

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/internal/alerting"
)

// Replication is what one Postgres server says about its replication.
type Replication struct {
	// InRecovery is true when the server is itself a standby; Self is then
	// its own lag and Standbys is empty.
	InRecovery bool
	// Standbys are a primary's physical standbys that report a replay
	// position, one per application_name.
	Standbys []StandbyLag
	// Self is a standby's lag behind the WAL it has received.
	Self StandbyLag
}

// StandbyLag is how far one standby's replay is behind.
type StandbyLag struct {
	// Name is the standby's application_name (on a primary) or the
	// server's cluster_name or address (read on the standby itself).
	Name string
	// Seconds of replay lag; 0 when the standby has replayed everything.
	Seconds float64
	// Bytes of WAL not yet replayed.
	Bytes float64
}

// ReplicationLimits are a ReplicationLag check's thresholds; a nil one is
// not checked.
type ReplicationLimits struct {
	MaxLag      *time.Duration
	MaxLagBytes *int64
	// MinStandbys is how many standbys a primary must have connected; it
	// does not apply to a server that is itself a standby.
	MinStandbys int
}

// Label values of "unit", which says what a ReplicationLag sample's value
// counts.
const (
	UnitSeconds  = "seconds"
	UnitBytes    = "bytes"
	UnitStandbys = "standbys"
)

// errNotPrivileged is a login that sees pg_stat_replication's rows but not
// their positions, which would read as "no standbys".
var errNotPrivileged = errors.New("cannot read replication positions")

// primaryQuery lists a primary's physical standbys. A walsender serving a
// database is logical replication, not a standby; one whose client never
// reports a replay position (pg_basebackup, pg_receivewal, a standby still
// starting) is not counted. replay_lag is null once a standby has caught up
// with an idle primary, and while replay is stuck Postgres interpolates it,
// so it keeps growing.
const primaryQuery = `
SELECT coalesce(r.application_name, ''),
       greatest(pg_wal_lsn_diff(pg_current_wal_lsn(), r.replay_lsn), 0)::float8,
       CASE WHEN r.replay_lsn >= pg_current_wal_lsn() THEN 0
            ELSE coalesce(extract(epoch FROM r.replay_lag), 0) END::float8
  FROM pg_stat_replication r
  JOIN pg_stat_activity a ON a.pid = r.pid
 WHERE a.datname IS NULL AND r.replay_lsn IS NOT NULL AND r.state <> 'backup'`

// standbyQuery reads a standby's own lag behind the WAL it received. When
// it has replayed all it received (an idle primary sends nothing, so the
// last replayed transaction grows old), the lag is 0. Without a WAL
// receiver (recovery from an archive) the age of the last replayed
// transaction is all there is.
const standbyQuery = `
SELECT coalesce(nullif(current_setting('cluster_name'), ''), $1),
       coalesce(greatest(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), 0), 0)::float8,
       CASE WHEN pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0
            ELSE coalesce(greatest(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0), 0) END::float8`

// ReadReplication connects to uri and reads its replication: a primary's
// standbys from pg_stat_replication, or a standby's own lag. address names
// the server in errors and, on a standby without a cluster_name, in
// labels. Any failure is an error: the check could not tell.
func ReadReplication(ctx context.Context, address, uri string, timeout time.Duration) (Replication, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cfg, err := pgx.ParseConfig(uri)
	if err != nil {
		return Replication{}, fmt.Errorf("the admin credentials of %s do not make a connection URI", address)
	}
	cfg.ConnectTimeout = timeout
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return Replication{}, fmt.Errorf("cannot connect to %s as %s: %w", address, cfg.User, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))

	var rep Replication
	var privileged bool
	err = conn.QueryRow(ctx, `SELECT pg_is_in_recovery(),
	       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) OR pg_has_role(current_user, 'pg_read_all_stats', 'USAGE')`).
		Scan(&rep.InRecovery, &privileged)
	if err != nil {
		return Replication{}, fmt.Errorf("read the replication state of %s: %w", address, err)
	}
	if rep.InRecovery {
		err = conn.QueryRow(ctx, standbyQuery, address).Scan(&rep.Self.Name, &rep.Self.Bytes, &rep.Self.Seconds)
		if err != nil {
			return Replication{}, fmt.Errorf("read the replay lag of standby %s: %w", address, err)
		}
		return rep, nil
	}
	if !privileged {
		return Replication{}, fmt.Errorf("%w on %s: login %s needs superuser or membership in pg_monitor", errNotPrivileged, address, cfg.User)
	}
	rows, err := conn.Query(ctx, primaryQuery)
	if err != nil {
		return Replication{}, fmt.Errorf("read pg_stat_replication on %s: %w", address, err)
	}
	lags, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (StandbyLag, error) {
		var l StandbyLag
		err := row.Scan(&l.Name, &l.Bytes, &l.Seconds)
		return l, err
	})
	if err != nil {
		return Replication{}, fmt.Errorf("read pg_stat_replication on %s: %w", address, err)
	}
	rep.Standbys = mergeByName(lags)
	return rep, nil
}

// mergeByName keeps one entry per application_name, the largest lags, so
// two standbys sharing a name are one alert instance.
func mergeByName(lags []StandbyLag) []StandbyLag {
	byName := map[string]StandbyLag{}
	for _, l := range lags {
		if have, ok := byName[l.Name]; ok {
			l.Bytes, l.Seconds = max(l.Bytes, have.Bytes), max(l.Seconds, have.Seconds)
		}
		byName[l.Name] = l
	}
	out := make([]StandbyLag, 0, len(byName))
	for _, l := range byName {
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b StandbyLag) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// ReplicationLag is active for each standby whose lag passes a limit, one
// instance per standby and limit (labels "instance" and "unit", the value
// in that unit), and, on a primary with fewer than MinStandbys standbys,
// for the count (unit "standbys", the value is how many are connected).
func ReplicationLag(rep Replication, lim ReplicationLimits) []alerting.Sample {
	var out []alerting.Sample
	lags := rep.Standbys
	if rep.InRecovery {
		lags = []StandbyLag{rep.Self}
	} else if len(lags) < lim.MinStandbys {
		out = append(out, alerting.Sample{Labels: alerting.Labels{"unit": UnitStandbys}, Value: float64(len(lags))})
	}
	for _, l := range lags {
		if lim.MaxLag != nil && l.Seconds > lim.MaxLag.Seconds() {
			out = append(out, alerting.Sample{Labels: alerting.Labels{"instance": l.Name, "unit": UnitSeconds}, Value: l.Seconds})
		}
		if lim.MaxLagBytes != nil && l.Bytes > float64(*lim.MaxLagBytes) {
			out = append(out, alerting.Sample{Labels: alerting.Labels{"instance": l.Name, "unit": UnitBytes}, Value: l.Bytes})
		}
	}
	return out
}
