package backup

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Every backup and verification run, good or failed, leaves a small record
// under <tenant>/runs/: the run history the operator reports wherever the
// Job ran and after Kubernetes dropped the Job. A failed backup leaves no
// backup, so without these records storage would show only the good runs.
// A run that cannot reach storage cannot record itself; its Job's failure
// is then all there is.

// runsDir is the folder of run records, beside the backups' folders
// (backup ids start with a timestamp, so none is named runs).
const runsDir = "runs"

// maxRunRecords is how many records a tenant keeps; each run removes the
// oldest beyond it.
const maxRunRecords = 50

// Kinds of RunRecord.
const (
	RunBackup       = "Backup"
	RunVerification = "Verification"
)

// RunRecord is one backup or verification run.
type RunRecord struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	// Job is the Kubernetes Job that ran it, when one did.
	Job       string    `json:"job,omitempty"`
	Started   time.Time `json:"started"`
	Finished  time.Time `json:"finished"`
	Succeeded bool      `json:"succeeded"`
	// BackupID is the backup written or verified.
	BackupID string `json:"backupId,omitempty"`
	// Message says why the run failed, or what a verification found.
	Message string `json:"message,omitempty"`
}

func runKey(tenant, id string) string { return tenant + "/" + runsDir + "/" + id + ".json" }

// RecordRun writes a run's record and removes the oldest beyond the
// tenant's limit. It uses its own deadline: a cancelled run (SIGTERM) is
// still recorded when storage answers.
func RecordRun(ctx context.Context, s Store, tenant string, r RunRecord) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if r.ID == "" {
		r.ID = r.Started.UTC().Format("20060102T150405Z") + "-" + strings.ToLower(r.Kind) + "-" + randomHex(3)
	}
	if err := putJSON(ctx, s, runKey(tenant, r.ID), r); err != nil {
		return fmt.Errorf("record the run: %w", err)
	}
	keys, err := runKeys(ctx, s, tenant)
	if err != nil {
		return err
	}
	for len(keys) > maxRunRecords {
		if err := s.Delete(ctx, keys[0]); err != nil {
			return fmt.Errorf("remove old run record %s: %w", keys[0], err)
		}
		keys = keys[1:]
	}
	return nil
}

// Runs returns a tenant's newest n run records, newest first.
func Runs(ctx context.Context, s Store, tenant string, n int) ([]RunRecord, error) {
	keys, err := runKeys(ctx, s, tenant)
	if err != nil {
		return nil, err
	}
	var out []RunRecord
	for i := len(keys) - 1; i >= 0 && len(out) < n; i-- {
		var r RunRecord
		if err := getJSON(ctx, s, keys[i], &r); err != nil {
			if errors.Is(err, ErrNotFound) {
				continue // removed by a run meanwhile
			}
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// runKeys are a tenant's run records, oldest first (ids start with the
// start time).
func runKeys(ctx context.Context, s Store, tenant string) ([]string, error) {
	objs, err := s.List(ctx, tenant+"/"+runsDir+"/")
	if err != nil {
		return nil, fmt.Errorf("list runs in %s: %w", s, err)
	}
	keys := make([]string, 0, len(objs))
	for _, o := range objs {
		if strings.HasSuffix(o.Key, ".json") {
			keys = append(keys, o.Key)
		}
	}
	sort.Strings(keys)
	return keys, nil
}
