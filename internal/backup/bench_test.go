package backup

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"bellwork.dev/bellwork/internal/dev/pgserver"
)

// BenchmarkBackupAgainstPgDump backs up a tenant database of
// $BELLWORK_BENCH_BACKUP_MB MiB (default 100, so make bench stays quick;
// BELLWORK_BENCH_BACKUP_MB=1024 for the 1 GiB) to the real S3 server beside
// `pg_dump -Fc | gzip > /dev/null` of the same database in the same run,
// and reports the throughput ratio (goal ≥ 0.9), the verification time and
// the runner's peak heap, which must not grow with the database.
func BenchmarkBackupAgainstPgDump(b *testing.B) {
	mb := 100
	if v, err := strconv.Atoi(os.Getenv("BELLWORK_BENCH_BACKUP_MB")); err == nil && v > 0 {
		mb = v
	}
	ctx := context.Background()
	db := newBenchDB(b, mb)
	store := s3StoreB(b)
	for range b.N {
		baseline := pgDumpGzipBaseline(b, db.backupURL)

		var peak atomic.Uint64
		stop := sampleHeap(&peak)
		start := time.Now()
		m, err := Run(ctx, Options{Tenant: "bench", DatabaseURL: db.backupURL, Store: store})
		took := time.Since(start)
		stop()
		if err != nil {
			b.Fatal(err)
		}
		vstart := time.Now()
		v, err := Verify(ctx, VerifyOptions{Tenant: "bench", ID: m.ID, Store: store, AdminURL: pg.AdminURL("postgres")})
		if err != nil || !v.Passed {
			b.Fatalf("verify: %+v, %v", v, err)
		}
		verify := time.Since(vstart)

		ratio := baseline.Seconds() / took.Seconds()
		b.ReportMetric(ratio, "throughput-ratio")
		b.ReportMetric(took.Seconds(), "backup-s")
		b.ReportMetric(baseline.Seconds(), "baseline-s")
		b.ReportMetric(verify.Seconds(), "verify-s")
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
		fmt.Printf("backup of a %d MiB database: %.1fs (dump %s) to S3; pg_dump -Fc | gzip > /dev/null: %.1fs; throughput ratio %.2f (goal >= 0.9)\n",
			mb, took.Seconds(), size(m.Size), baseline.Seconds(), ratio)
		fmt.Printf("verification (restore into a throwaway database and compare): %.1fs; runner peak heap %.1f MiB\n",
			verify.Seconds(), float64(peak.Load())/(1<<20))
	}
}

func size(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// newBenchDB fills a tenant database with about mb MiB of rows.
func newBenchDB(b testing.TB, mb int) tenantDB {
	b.Helper()
	db := newTenantDBB(b, 0)
	fill(b, pg, db, mb*1024)
	return db
}

// fill adds rows of about 1 KiB each to a tenant database's grades.
func fill(b testing.TB, pg *pgserver.Server, db tenantDB, rows int) {
	b.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, pg.AdminURL(db.name))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(ctx)
	// Rows of about 1 KiB of distinct hex digests (which neither TOAST nor
	// pg_dump can shrink much), in batches so no statement holds them all.
	for done := 0; done < rows; done += 100_000 {
		n := min(100_000, rows-done)
		if _, err := c.Exec(ctx, `INSERT INTO grades (student, score, note)
			SELECT 'student ' || g, g % 100, (SELECT string_agg(md5(g::text || i::text), ' ') FROM generate_series(1, 30) i)
			FROM generate_series($1::int, $2::int) g`, done+1, done+n); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := c.Exec(ctx, "VACUUM ANALYZE grades"); err != nil {
		b.Fatal(err)
	}
}

func pgDumpGzipBaseline(b *testing.B, dbURL string) time.Duration {
	b.Helper()
	bin, err := pgBin("pg_dump")
	if err != nil {
		b.Fatal(err)
	}
	target, env, err := libpqArgs(dbURL)
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", `"$0" -Fc --no-password --dbname="$1" | gzip > /dev/null`, bin, target)
	cmd.Env = env
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("baseline: %v\n%s", err, out)
	}
	return time.Since(start)
}

// sampleHeap records the peak heap in use every 50ms until stopped.
func sampleHeap(peak *atomic.Uint64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	return func() { close(done); <-finished }
}
