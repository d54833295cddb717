package backup

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// List returns a tenant's complete backups (those with a manifest), oldest
// first, each with its latest verification when there is one.
func List(ctx context.Context, s Store, tenant string) ([]Manifest, error) {
	objs, err := s.List(ctx, tenant+"/")
	if err != nil {
		return nil, fmt.Errorf("list backups in %s: %w", s, err)
	}
	var out []Manifest
	for _, id := range ids(objs, tenant, "manifest.json") {
		m, err := Read(ctx, s, tenant, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *m)
	}
	return out, nil
}

// Read loads one backup's manifest and its verification, if any.
func Read(ctx context.Context, s Store, tenant, id string) (*Manifest, error) {
	var m Manifest
	if err := getJSON(ctx, s, manifestKey(tenant, id), &m); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("no backup %s of tenant %s in %s", id, tenant, s)
		}
		return nil, err
	}
	var v Verification
	switch err := getJSON(ctx, s, verificationKey(tenant, id), &v); {
	case err == nil:
		m.Verification = &v
	case !errors.Is(err, ErrNotFound):
		return nil, err
	}
	return &m, nil
}

// Choose is the backup id names, or with no id the newest one (verified:
// the newest whose latest verification passed).
func Choose(ctx context.Context, s Store, tenant, id string, verified bool) (*Manifest, error) {
	if id != "" {
		return Read(ctx, s, tenant, id)
	}
	return Latest(ctx, s, tenant, verified)
}

// Latest is the newest backup, or with verified the newest whose latest
// verification passed.
func Latest(ctx context.Context, s Store, tenant string, verified bool) (*Manifest, error) {
	all, err := List(ctx, s, tenant)
	if err != nil {
		return nil, err
	}
	for i := len(all) - 1; i >= 0; i-- {
		if !verified || (all[i].Verification != nil && all[i].Verification.Passed) {
			return &all[i], nil
		}
	}
	if verified {
		return nil, fmt.Errorf("tenant %s has no verified backup in %s", tenant, s)
	}
	return nil, fmt.Errorf("tenant %s has no backup in %s", tenant, s)
}

// SweepOrphans removes what failed or killed runs left: objects of backup
// ids without a manifest, and unfinished uploads, older than minAge (a
// running backup's dump becomes visible only a moment before its
// manifest). Backup runs call it holding the tenant's backup lock, so no
// other run is writing. It returns the ids removed.
func SweepOrphans(ctx context.Context, s Store, tenant string, now time.Time, minAge time.Duration) ([]string, error) {
	objs, err := s.List(ctx, tenant+"/")
	if err != nil {
		return nil, fmt.Errorf("list backups in %s: %w", s, err)
	}
	complete := map[string]bool{}
	for _, id := range ids(objs, tenant, "manifest.json") {
		complete[id] = true
	}
	removed := map[string]bool{}
	for _, o := range objs {
		id, _, ok := splitKey(o.Key, tenant)
		if !ok || complete[id] || now.Sub(o.Modified) < minAge {
			continue
		}
		if err := s.Delete(ctx, o.Key); err != nil {
			return nil, fmt.Errorf("remove %s: %w", o.Key, err)
		}
		removed[id] = true
	}
	// Unfinished writes of killed runs: invisible, but they take space.
	partials, err := s.RemovePartials(ctx, tenant+"/", now.Add(-minAge))
	if err != nil {
		return nil, fmt.Errorf("remove unfinished uploads in %s: %w", s, err)
	}
	for _, k := range partials {
		if id, _, ok := splitKey(k, tenant); ok {
			removed[id] = true
		}
	}
	out := make([]string, 0, len(removed))
	for id := range removed {
		out = append(out, id)
	}
	sort.Strings(out)
	return out, nil
}

// Delete removes a whole backup, manifest first so that it stops existing
// before its dump goes.
func Delete(ctx context.Context, s Store, tenant, id string) error {
	for _, k := range []string{manifestKey(tenant, id), verificationKey(tenant, id), dumpKey(tenant, id)} {
		if err := s.Delete(ctx, k); err != nil {
			return fmt.Errorf("remove %s: %w", k, err)
		}
	}
	return nil
}

func ids(objs []Object, tenant, file string) []string {
	var out []string
	for _, o := range objs {
		if id, f, ok := splitKey(o.Key, tenant); ok && f == file {
			out = append(out, id)
		}
	}
	sort.Strings(out) // ids start with a UTC timestamp
	return out
}

func splitKey(key, tenant string) (id, file string, ok bool) {
	rest, ok := strings.CutPrefix(key, tenant+"/")
	if !ok {
		return "", "", false
	}
	id, file, ok = strings.Cut(rest, "/")
	return id, file, ok && id != "" && id != runsDir && !strings.Contains(file, "/")
}
