package controllers_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"k8s.io/apimachinery/pkg/api/meta"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/controllers"
)

// benchTenants is how many tenants BenchmarkProvisionTenants provisions.
const benchTenants = 200

// BenchmarkProvisionTenants provisions 200 tenants to Ready against the
// local Postgres server with the in-process manager, and in the same run
// creates 200 databases and roles with plain SQL over one connection (what
// createdb and createuser do), printing both times, their ratio and the
// manager's heap in use at 200 tenants. `make bench` runs it.
func BenchmarkProvisionTenants(b *testing.B) {
	ctx := context.Background()
	for i := range b.N {
		prefix := fmt.Sprintf("bench%d", i)
		startManager(b, func(o *controllers.Options) {
			o.Tenant.StatusInterval, o.School.StatusInterval = time.Minute, time.Minute
		})

		start := time.Now()
		var names []string
		for n := range benchTenants {
			tn := externalTenant(fmt.Sprintf("%s-%03d", prefix, n))
			tn.Spec.Admins = []string{"admin@bench.example"}
			create(b, tn)
			names = append(names, tn.Name)
		}
		waitAllReady(b, names, 10*time.Minute)
		provision := time.Since(start)

		runtime.GC()
		var mem runtime.MemStats
		runtime.ReadMemStats(&mem)

		baseline := createdbBaseline(b, ctx, prefix, benchTenants)
		b.ReportMetric(provision.Seconds(), "provision-s")
		b.ReportMetric(baseline.Seconds(), "baseline-s")
		b.ReportMetric(float64(mem.HeapInuse)/(1<<20), "heap-MiB")
		fmt.Printf("provision %d tenants: %.1fs; createdb+createuser baseline: %.1fs; ratio %.1f\n",
			benchTenants, provision.Seconds(), baseline.Seconds(), provision.Seconds()/baseline.Seconds())
		fmt.Printf("heap in use at %d tenants (manager in-process, after GC): %.1f MiB\n", benchTenants, float64(mem.HeapInuse)/(1<<20))
	}
}

func waitAllReady(b testing.TB, names []string, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for {
		ready := 0
		for _, n := range names {
			if meta.IsStatusConditionTrue(getTenant(b, n).Status.Conditions, platformv1.ConditionReady) {
				ready++
			}
		}
		if ready == len(names) {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d tenants Ready after %s", ready, len(names), timeout)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// createdbBaseline is `createuser` and `createdb` for n names, as SQL over
// one superuser connection.
func createdbBaseline(b testing.TB, ctx context.Context, prefix string, n int) time.Duration {
	conn, err := pgx.Connect(ctx, pg.AdminURL("postgres"))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	start := time.Now()
	for i := range n {
		name := pgx.Identifier{fmt.Sprintf("base_%s_%03d", prefix, i)}.Sanitize()
		for _, sql := range []string{"CREATE ROLE " + name + " LOGIN PASSWORD 'baseline-password'", "CREATE DATABASE " + name + " OWNER " + name} {
			if _, err := conn.Exec(ctx, sql); err != nil {
				b.Fatal(err)
			}
		}
	}
	return time.Since(start)
}
