// Package memlimit gives the Go runtime a soft memory limit below the
// container's: without one the collector lets the heap grow to twice what
// is live before it runs, so a process whose live heap is half its
// container's limit is killed for memory it does not need.
package memlimit

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
)

// Fraction of the container's limit given to the runtime: the rest is for
// goroutine stacks, the runtime's own structures and memory outside Go.
const Fraction = 0.9

// unlimitedV1 is the smallest value cgroup v1 uses for "no limit" (the
// largest page-aligned int64 on every page size in use).
const unlimitedV1 = math.MaxInt64 &^ (1<<16 - 1)

// Apply sets the runtime's soft memory limit to Fraction of the cgroup's
// memory limit, read under root ("/sys/fs/cgroup" in a container). It does
// nothing when GOMEMLIMIT is set (the operator's own choice wins) or no
// limit applies. It says what it did, for the process's log.
func Apply(root string) (string, error) {
	if v := os.Getenv("GOMEMLIMIT"); v != "" {
		return "GOMEMLIMIT=" + v + " (set in the environment)", nil
	}
	limit, ok, err := Container(root)
	if err != nil {
		return "", err
	}
	if !ok {
		return "no container memory limit: the runtime's memory is not limited", nil
	}
	soft := int64(float64(limit) * Fraction)
	debug.SetMemoryLimit(soft)
	return fmt.Sprintf("soft memory limit %d MiB (%.0f%% of the container's %d MiB)", soft>>20, Fraction*100, limit>>20), nil
}

// Container is the memory limit of the cgroup under root, in bytes: cgroup
// v2's memory.max, else cgroup v1's memory/memory.limit_in_bytes. ok is
// false when neither file exists or it says there is no limit.
func Container(root string) (limit int64, ok bool, err error) {
	for _, name := range []string{"memory.max", filepath.Join("memory", "memory.limit_in_bytes")} {
		b, err := os.ReadFile(filepath.Join(root, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, false, fmt.Errorf("read the container's memory limit: %w", err)
		}
		v := strings.TrimSpace(string(b))
		if v == "max" {
			return 0, false, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return 0, false, fmt.Errorf("read the container's memory limit: %s holds %q, not a number of bytes or \"max\"", name, v)
		}
		if n >= unlimitedV1 {
			return 0, false, nil
		}
		return n, true, nil
	}
	return 0, false, nil
}
