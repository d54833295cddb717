package roster

import (
	"archive/zip"
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// writeLargeBundle writes a generated OneRoster 1.1 bundle as a zip file:
// one school, 500 classes, 20,000 students and enrollments rows as given.
// Nothing generated is kept beyond the test.
func writeLargeBundle(t testing.TB, enrollments int) (path string, size int64) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "large.zip")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	file := func(name string, write func(w *bufio.Writer)) {
		fw, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w := bufio.NewWriter(fw)
		write(w)
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	const classes, students = 500, 20_000
	file("orgs.csv", func(w *bufio.Writer) {
		w.WriteString("sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\nS1,,,Large High,school,LH1,\n")
	})
	file("academicSessions.csv", func(w *bufio.Writer) {
		w.WriteString("sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear\nT1,,,2025-2026,schoolYear,2025-08-15,2026-06-05,,2026\n")
	})
	file("courses.csv", func(w *bufio.Writer) {
		w.WriteString("sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects\n")
		for c := range classes {
			fmt.Fprintf(w, "C%d,,,T1,Course %d,C%d,09,S1,\n", c, c, c)
		}
	})
	file("classes.csv", func(w *bufio.Writer) {
		w.WriteString("sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,periods\n")
		for c := range classes {
			fmt.Fprintf(w, "K%d,,,Class %d,09,C%d,K%d,scheduled,,S1,T1,,1\n", c, c, c, c)
		}
	})
	file("users.csv", func(w *bufio.Writer) {
		w.WriteString("sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades\n")
		for u := range students {
			fmt.Fprintf(w, "U%d,,,true,S1,student,student%d,,Given%d,Family%d,,,student%d@large.example,,,,09\n", u, u, u, u, u)
		}
	})
	file("enrollments.csv", func(w *bufio.Writer) {
		w.WriteString("sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n")
		for e := range enrollments {
			fmt.Fprintf(w, "E%d,,,K%d,S1,U%d,student,false,2025-08-15,2026-06-05\n", e, e%classes, e%students)
		}
	})
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return path, st.Size()
}

// peakHeap runs fn and returns the most heap held by objects at any
// sample (every millisecond, read from runtime/metrics, which does not stop
// the world) above what was held before, in MB.
func peakHeap(fn func()) float64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	runtime.GC()
	base := read()
	var peak atomic.Uint64
	peak.Store(base)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if v := read(); v > peak.Load() {
					peak.Store(v)
				}
			}
		}
	}()
	fn()
	close(done)
	wg.Wait()
	return float64(max(peak.Load(), read())-base) / (1 << 20)
}

// BenchmarkLargeBundleHeap parses a generated bundle of 200,000 enrollment
// rows (about 14 MB of CSV) from a zip on disk two ways and reports the
// peak heap of each: "inflated" unpacks every file into memory first
// (ReadZip, as imports did before), "streamed" reads each file from its zip
// entry as it parses (OpenZip). Run with -benchtime 1x; see
// docs/performance.md for the numbers.
func BenchmarkLargeBundleHeap(b *testing.B) {
	path, size := writeLargeBundle(b, 200_000)
	for _, mode := range []string{"inflated", "streamed"} {
		b.Run(mode, func(b *testing.B) {
			for b.Loop() {
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				var rows int
				peak := peakHeap(func() {
					var bundle *Bundle
					var problems []Problem
					if mode == "inflated" {
						files, err := ReadZip(f, size, 1<<30)
						if err != nil {
							b.Fatal(err)
						}
						bundle, problems = ParseOneRosterBundle(files)
					} else {
						files, err := OpenZip(f, size, 1<<30)
						if err != nil {
							b.Fatal(err)
						}
						bundle, problems = ParseBundle(files)
					}
					if Blocking(problems) {
						b.Fatalf("problems: %v", problems[:min(5, len(problems))])
					}
					rows = len(bundle.Enrollments)
				})
				f.Close()
				if rows != 200_000 {
					b.Fatalf("%d enrollments parsed", rows)
				}
				b.ReportMetric(peak, "peak-heap-MB")
			}
		})
	}
}
