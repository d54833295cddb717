package tenancy

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"bellwork.dev/bellwork/pkg/directory"
)

// WatchFolder reads one entry per *.json file in dir into the registry,
// and again whenever the folder's contents change, until ctx ends. It
// returns after the first read.
func WatchFolder(ctx context.Context, r *Registry, dir string, every time.Duration) error {
	sum, entries, err := readFolder(dir, r)
	if err != nil {
		return err
	}
	r.Replace(entries)
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			next, entries, err := readFolder(dir, r)
			if err != nil {
				r.Log.Error("Could not read the tenant directory folder", "dir", dir, "err", err)
				continue
			}
			if next != sum {
				sum = next
				r.Replace(entries)
			} else {
				r.Confirm()
			}
		}
	}()
	return nil
}

func readFolder(dir string, r *Registry) (string, []*directory.Entry, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return "", nil, err
	}
	if _, err := os.Stat(dir); err != nil {
		return "", nil, fmt.Errorf("tenant directory folder: %w", err)
	}
	sort.Strings(files)
	h := sha256.New()
	var entries []*directory.Entry
	r.decoded.listing(func(decode func([]byte) (*directory.Entry, error)) {
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				continue // removed while listing; the next pass sees it
			}
			h.Write([]byte(f))
			h.Write(data)
			e, err := decode(data)
			if err != nil {
				r.Log.Error("Ignored unreadable directory entry", "file", f, "err", err)
				continue
			}
			if want := strings.TrimSuffix(filepath.Base(f), ".json"); want != e.Tenant {
				r.Log.Warn("Directory entry file name differs from its tenant", "file", f, "tenant", e.Tenant)
			}
			entries = append(entries, e)
		}
	})
	return fmt.Sprintf("%x", h.Sum(nil)), entries, nil
}
