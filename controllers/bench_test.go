package controllers_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"k8s.io/apimachinery/pkg/api/meta"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/controllers"
)

// benchTenants is how many tenants BenchmarkProvisionTenants provisions.
const benchTenants = 200

// provisionGoal is issue 16's goal: provisioning throughput at least this
// fraction of the createuser+createdb loop's.
const provisionGoal = 0.7

func metOrNot(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT MET"
}

func qpsString(qps float32, burst int) string {
	if qps < 0 {
		return "unlimited (client-side rate limiter off)"
	}
	return fmt.Sprintf("%.0f (burst %d)", qps, burst)
}

// reconcileCount is how many times the named controller has reconciled in
// this process (controller-runtime's reconcile_total, every result).
func reconcileCount(t testing.TB, controller string) float64 {
	families, err := ctrlmetrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var n float64
	for _, f := range families {
		if f.GetName() != "controller_runtime_reconcile_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "controller" && l.GetValue() == controller {
					n += m.GetCounter().GetValue()
				}
			}
		}
	}
	return n
}

// BenchmarkProvisionTenants provisions 200 tenants to Ready against the
// local Postgres server with the in-process manager, and in the same run
// creates 200 databases and roles with plain SQL over one connection (what
// createdb and createuser do), printing both times, their ratio and the
// manager's heap in use at 200 tenants. `make bench` runs it.
func BenchmarkProvisionTenants(b *testing.B) {
	ctx := context.Background()
	for i := range b.N {
		prefix := fmt.Sprintf("bench%d", i)
		var workers int
		startManager(b, func(o *controllers.Options) {
			o.Tenant.StatusInterval, o.School.StatusInterval = time.Minute, time.Minute
			workers = o.Tenant.MaxConcurrentReconciles
		})

		passesBefore := reconcileCount(b, "tenant")
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
		passes := reconcileCount(b, "tenant") - passesBefore

		runtime.GC()
		var mem runtime.MemStats
		runtime.ReadMemStats(&mem)

		baseline := createdbBaseline(b, ctx, prefix, benchTenants)
		b.ReportMetric(provision.Seconds(), "provision-s")
		b.ReportMetric(baseline.Seconds(), "baseline-s")
		b.ReportMetric(float64(mem.HeapInuse)/(1<<20), "heap-MiB")
		b.ReportMetric(passes/benchTenants, "passes/tenant")
		// Throughput ratio: tenants per second against the loop's
		// role+database pairs per second.
		ratio := baseline.Seconds() / provision.Seconds()
		fmt.Printf("provision %d tenants: %.1fs; createdb+createuser baseline: %.1fs\n",
			benchTenants, provision.Seconds(), baseline.Seconds())
		fmt.Printf("provisioning throughput / baseline throughput: %.2f (goal >= %.2f: %s)\n",
			ratio, provisionGoal, metOrNot(ratio >= provisionGoal))
		fmt.Printf("tenant workers %d, client QPS %s, %.1f tenant passes per tenant\n",
			workers, qpsString(env.Config.QPS, env.Config.Burst), passes/benchTenants)
		fmt.Printf("heap in use at %d tenants (manager in-process, after GC): %.1f MiB\n", benchTenants, float64(mem.HeapInuse)/(1<<20))
	}
}

// waitAllReady polls with one List (not a Get per tenant): the poll must
// not load the API server the operator is measured against.
func waitAllReady(b testing.TB, names []string, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	for {
		var list platformv1.TenantList
		if err := env.Client.List(context.Background(), &list); err != nil {
			b.Fatal(err)
		}
		ready := 0
		for _, t := range list.Items {
			if want[t.Name] && meta.IsStatusConditionTrue(t.Status.Conditions, platformv1.ConditionReady) {
				ready++
			}
		}
		if ready == len(names) {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d tenants Ready after %s", ready, len(names), timeout)
		}
		time.Sleep(250 * time.Millisecond)
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
