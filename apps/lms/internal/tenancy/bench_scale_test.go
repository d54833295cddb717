package tenancy

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/pkg/directory"
)

// scaleEntries is how many directory entries BenchmarkDirectoryAtScale
// serves: BELLWORK_BENCH_TENANTS, 10,000 by default.
func scaleEntries(b *testing.B) int {
	v := os.Getenv("BELLWORK_BENCH_TENANTS")
	if v == "" {
		return 10000
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("BELLWORK_BENCH_TENANTS=%q: want a positive number", v)
	}
	return n
}

// fixtureEntry is entry i: the shared fixture (two schools with calendars,
// an admin, flags) under its own name, hosts and database.
func fixtureEntry(b *testing.B, i int) *directory.Entry {
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "pkg", "directory", "testdata", "lincoln-usd.json"))
	if err != nil {
		b.Fatal(err)
	}
	e, err := directory.Unmarshal(data)
	if err != nil {
		b.Fatal(err)
	}
	name := fmt.Sprintf("district-%05d", i)
	e.Tenant, e.DisplayName, e.Hosts = name, "District "+name, []string{name + ".example", "www." + name + ".example"}
	e.Database.Name = "bw_" + strings.ReplaceAll(name, "-", "_")
	return e
}

func marshalEntry(b *testing.B, e *directory.Entry) []byte {
	data, err := directory.Marshal(e)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// heapInUse is the process's heap in use after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

// cpuTime is the CPU the process has used (user and system): on a shared
// machine, wall time also counts waiting for a core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDirectoryAtScale is the LMS with 10,000 directory entries
// (BELLWORK_BENCH_TENANTS), through both sources serve.go uses:
//
//   - a folder (`lms serve --directory DIR`, WatchFolder with serve's 1 s
//     poll): the time from start until the registry holds every entry
//     (from then /readyz answers 200), the heap that takes, the time one
//     changed file takes to be served, and what one idle poll costs;
//   - directory Secrets (`--directory kubernetes:NS`): the work
//     WatchSecrets does on the informer's listing, at start and on each
//     change event (replaceFromSecrets over every Secret). Not measured:
//     the API server's list and watch themselves (the Secrets are in
//     memory here, as in the informer's store).
//
// "Ready" is the directory read, as /readyz reports it. Converging each
// tenant's database (migrations, schools) after a restart needs the
// databases and is not in these numbers.
func BenchmarkDirectoryAtScale(b *testing.B) {
	n := scaleEntries(b)
	entries := make([]*directory.Entry, n)
	for i := range n {
		entries[i] = fixtureEntry(b, i)
	}
	dir := b.TempDir()
	secrets := make([]*corev1.Secret, n)
	for i, e := range entries {
		data := marshalEntry(b, e)
		if err := os.WriteFile(filepath.Join(dir, e.Tenant+".json"), data, 0o600); err != nil {
			b.Fatal(err)
		}
		secrets[i] = &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: directory.SecretName(e.Tenant), Namespace: benchNS,
			Labels: map[string]string{directory.LabelKey: directory.LabelValue}}, Data: map[string][]byte{directory.EntryKey: data}}
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	changed := entries[n/2]
	for i := range b.N {
		// Folder: a restart, then one entry changed on disk.
		base := heapInUse()
		ctx, cancel := context.WithCancel(context.Background())
		start, cpu := time.Now(), cpuTime()
		reg := NewRegistry(db.NewPools(time.Minute, 1), log)
		if err := WatchFolder(ctx, reg, dir, time.Second); err != nil {
			b.Fatal(err)
		}
		ready, readyCPU := time.Since(start), cpuTime()-cpu
		if !reg.Synced() || len(reg.Tenants()) != n {
			b.Fatalf("after the first read the registry holds %d of %d tenants", len(reg.Tenants()), n)
		}
		heap := mib(int64(heapInUse()) - int64(base))

		e := *changed
		e.DisplayName = fmt.Sprintf("Renamed %d", i)
		if err := os.WriteFile(filepath.Join(dir, e.Tenant+".json"), marshalEntry(b, &e), 0o600); err != nil {
			b.Fatal(err)
		}
		written := time.Now()
		for deadline := written.Add(time.Minute); ; time.Sleep(time.Millisecond) {
			if t, ok := reg.Get(e.Tenant); ok && t.Entry.DisplayName == e.DisplayName {
				break
			}
			if time.Now().After(deadline) {
				b.Fatal("the changed entry was not served within a minute")
			}
		}
		change := time.Since(written)

		// One idle poll: read every file, find nothing changed.
		pollStart, cpu := time.Now(), cpuTime()
		if _, _, err := readFolder(dir, reg); err != nil {
			b.Fatal(err)
		}
		idlePoll, idlePollCPU := time.Since(pollStart), cpuTime()-cpu
		cancel()
		reg = nil
		time.Sleep(100 * time.Millisecond) // WatchFolder's loop lets go of it

		// Secrets: the first listing, then one changed Secret.
		base = heapInUse()
		start, cpu = time.Now(), cpuTime()
		sreg := NewRegistry(db.NewPools(time.Minute, 1), log)
		sreg.replaceFromSecrets(secrets)
		secretsReady, secretsReadyCPU := time.Since(start), cpuTime()-cpu
		secretsHeap := mib(int64(heapInUse()) - int64(base))
		next := make([]*corev1.Secret, n)
		copy(next, secrets)
		e.DisplayName = fmt.Sprintf("Renamed again %d", i)
		s := secrets[n/2].DeepCopy()
		s.Data[directory.EntryKey] = marshalEntry(b, &e)
		next[n/2] = s
		start, cpu = time.Now(), cpuTime()
		sreg.replaceFromSecrets(next)
		secretsChange, secretsChangeCPU := time.Since(start), cpuTime()-cpu
		if t, _ := sreg.Get(e.Tenant); t.Entry.DisplayName != e.DisplayName {
			b.Fatal("the changed Secret was not served")
		}

		b.ReportMetric(ready.Seconds(), "folder-ready-s")
		b.ReportMetric(heap, "folder-heap-MiB")
		b.ReportMetric(change.Seconds(), "folder-change-s")
		b.ReportMetric(secretsReady.Seconds(), "secrets-ready-s")
		b.ReportMetric(secretsChange.Seconds(), "secrets-change-s")
		ms := func(d time.Duration) string { return d.Round(time.Millisecond).String() }
		fmt.Printf("LMS directory at %d entries (%d bytes each); wall time (CPU time of the process):\n", n, len(secrets[0].Data[directory.EntryKey]))
		fmt.Printf("  folder: ready after a restart in %s (%s CPU), registry heap %.1f MiB; one changed entry served after %s (1 s poll); one idle poll %s (%s CPU)\n",
			ms(ready), ms(readyCPU), heap, ms(change), ms(idlePoll), ms(idlePollCPU))
		fmt.Printf("  Secrets: first listing applied in %s (%s CPU), registry heap %.1f MiB (the informer's store holds the %.1f MiB of entries besides); one changed Secret applied in %s (%s CPU)\n",
			ms(secretsReady), ms(secretsReadyCPU), secretsHeap, mib(int64(n*len(secrets[0].Data[directory.EntryKey]))), ms(secretsChange), ms(secretsChangeCPU))
		runtime.KeepAlive(sreg)
	}
}
