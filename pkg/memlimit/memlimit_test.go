package memlimit

import (
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func write(t *testing.T, root, name, content string) {
	t.Helper()
	path := filepath.Join(root, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestContainerLimitFromCgroupFiles(t *testing.T) {
	for _, tc := range []struct {
		name, file, content string
		want                int64
		ok, err             bool
	}{
		{name: "v2 limit", file: "memory.max", content: "536870912\n", want: 536870912, ok: true},
		{name: "v2 no limit", file: "memory.max", content: "max\n"},
		{name: "v1 limit", file: "memory/memory.limit_in_bytes", content: "268435456\n", want: 268435456, ok: true},
		{name: "v1 no limit", file: "memory/memory.limit_in_bytes", content: "9223372036854771712\n"},
		{name: "no cgroup files", file: "cpu.max", content: "max 100000\n"},
		{name: "garbage", file: "memory.max", content: "lots\n", err: true},
		{name: "zero", file: "memory.max", content: "0\n", err: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			write(t, root, tc.file, tc.content)
			got, ok, err := Container(root)
			if (err != nil) != tc.err {
				t.Fatalf("error %v, want error %v", err, tc.err)
			}
			if err != nil && !strings.Contains(err.Error(), "not a number of bytes") {
				t.Errorf("error %q does not say what the file should hold", err)
			}
			if got != tc.want || ok != tc.ok {
				t.Errorf("Container = %d, %v; want %d, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestApplySetsNinetyPercentUnlessGOMEMLIMITIsSet(t *testing.T) {
	var limit512 int64 = 512 << 20
	t.Cleanup(func() { debug.SetMemoryLimit(math.MaxInt64) })
	t.Setenv("GOMEMLIMIT", "")
	root := t.TempDir()
	write(t, root, "memory.max", "536870912\n")
	said, err := Apply(root)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := debug.SetMemoryLimit(-1), int64(float64(limit512)*Fraction); got != want {
		t.Errorf("runtime limit %d, want %d", got, want)
	}
	if !strings.Contains(said, "460 MiB (90% of the container's 512 MiB)") {
		t.Errorf("Apply said %q", said)
	}

	debug.SetMemoryLimit(math.MaxInt64)
	t.Setenv("GOMEMLIMIT", "300MiB")
	if said, err = Apply(root); err != nil || !strings.Contains(said, "GOMEMLIMIT=300MiB") {
		t.Errorf("with GOMEMLIMIT set Apply said %q, %v", said, err)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("Apply changed the limit to %d although GOMEMLIMIT was set", got)
	}

	none := t.TempDir()
	write(t, none, "memory.max", "max\n")
	t.Setenv("GOMEMLIMIT", "")
	if said, err = Apply(none); err != nil || !strings.Contains(said, "not limited") {
		t.Errorf("without a container limit Apply said %q, %v", said, err)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("Apply set %d without a container limit", got)
	}
}
