package alerting_test

import (
	"context"
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/alerting"
	"bellwork.dev/bellwork/internal/alerting/promeval"
)

const (
	benchRules   = 1000
	benchTenants = 100
	benchRoutes  = 50 // × 2 statuses × tenants = 10,000 series
	benchRounds  = 3
	benchEvery   = 15 * time.Second
)

// BenchmarkAlertRounds evaluates 1,000 rules over 10,000 series the way the
// operator does each 15 s round (PromQL with Prometheus' engine over the
// in-memory store, then the state machine, muting and the grouping plan)
// and, in the same run over the same store, the bare engine evaluating the
// same expressions. It prints CPU seconds per round for both, their ratio
// (goal ≤ 1.2) and the heap in use. The API server's part (one read per
// evaluation, a write only on change) is not in it: it is I/O the bare
// engine has no equivalent of. `make bench` runs it.
func BenchmarkAlertRounds(b *testing.B) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)
	store := promeval.NewStore(time.Hour.Milliseconds(), 20000)
	// Five minutes of samples; a tenant's error share depends on its number,
	// so each rule finds some tenants over its threshold.
	for step := range 21 {
		at := t0.Add(time.Duration(step) * benchEvery).UnixMilli()
		for tn := range benchTenants {
			for r := range benchRoutes {
				tenant, route := fmt.Sprintf("t%03d", tn), fmt.Sprintf("r%02d", r)
				ok := float64(step * 100)
				bad := float64(step * tn / 10)
				store.Append(labels.FromStrings("__name__", "bench_requests_total", "route", route, "status", "200", "tenant", tenant), at, ok)
				store.Append(labels.FromStrings("__name__", "bench_requests_total", "route", route, "status", "500", "tenant", tenant), at, bad)
			}
		}
	}
	if n := store.Series(); n != 2*benchTenants*benchRoutes {
		b.Fatalf("store holds %d series", n)
	}
	rules := make([]*platformv1.AlertRule, benchRules)
	for i := range rules {
		r := &platformv1.AlertRule{ObjectMeta: metav1.ObjectMeta{Namespace: "ops", Name: fmt.Sprintf("rule-%04d", i)}}
		r.Spec.Expr = fmt.Sprintf(`sum by (tenant) (rate(bench_requests_total{route="r%02d",status="500"}[5m])) / sum by (tenant) (rate(bench_requests_total{route="r%02d"}[5m])) > %v`,
			i%benchRoutes, i%benchRoutes, 0.05+float64(i%10)/100)
		r.Spec.For = metav1.Duration{Duration: 30 * time.Second}
		r.Spec.Severity = "warning"
		r.Spec.Annotations = map[string]string{"summary": "{{ $labels.tenant }}: {{ $value | humanizePercentage }} errors"}
		r.Spec.Receivers = []platformv1.AlertReceiver{{Name: "sre"}}
		r.Spec.Grouping = &platformv1.AlertGrouping{GroupBy: []string{"tenant"}}
		rules[i] = r
	}
	engine := promeval.NewEngine(50_000_000, time.Minute)
	local := &promeval.Local{Engine: engine, Queryable: store}
	statuses := make([]platformv1.AlertRuleStatus, benchRules)
	at := t0.Add(20 * benchEvery)

	bare := func(now time.Time) {
		for _, r := range rules {
			q, err := engine.NewInstantQuery(ctx, store, nil, r.Spec.Expr, now)
			if err != nil {
				b.Fatal(err)
			}
			if res := q.Exec(ctx); res.Err != nil {
				b.Fatal(res.Err)
			}
			q.Close()
		}
	}
	instances, messages := 0, 0
	operator := func(now time.Time) {
		instances, messages = 0, 0
		for i, r := range rules {
			samples, err := local.Query(ctx, r.Spec.Expr, now)
			st, _ := alerting.Step(r, statuses[i], alerting.Input{Now: now, Evaluation: alerting.Evaluation{Samples: samples, Err: err}, Heartbeat: 5 * time.Minute})
			groups, msgs := alerting.Plan(ctx, r, st, now)
			for _, m := range msgs {
				groups, _ = alerting.Delivered(groups, m, map[string]error{"sre": nil}, now)
			}
			st.Groups = groups
			statuses[i] = st
			instances += len(st.Instances)
			messages += len(msgs)
		}
	}
	for range b.N {
		// Three rounds bring every instance through Pending (for: 30s) to
		// Firing; the third announces them all, which costs most (every
		// annotation templated), so it is reported apart.
		var announcing time.Duration
		for round := range 3 {
			now := at.Add(time.Duration(round) * benchEvery)
			announcing = cpu(func() { operator(now) })
		}
		announced := messages
		var bareCPU, opCPU time.Duration
		for round := range benchRounds {
			now := at.Add(time.Duration(3+round) * benchEvery)
			bareCPU += cpu(func() { bare(now) })
			opCPU += cpu(func() { operator(now) })
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		perBare, perOp := bareCPU.Seconds()/benchRounds, opCPU.Seconds()/benchRounds
		b.ReportMetric(perOp, "cpu-s/round")
		b.ReportMetric(perOp/perBare, "ratio")
		fmt.Printf("alert rounds: %d rules over %d series, %d firing instances\n", benchRules, store.Series(), instances)
		fmt.Printf("  round announcing them (%d messages planned, templated): %.3f CPU s\n", announced, announcing.Seconds())
		fmt.Printf("  steady rounds, bare Prometheus engine: %.3f CPU s/round\n  steady rounds, operator (engine + states + muting + grouping): %.3f CPU s/round\n  ratio %.2f (goal <= 1.2); heap in use %d MiB\n",
			perBare, perOp, perOp/perBare, ms.HeapInuse>>20)
	}
}

// cpu is the process's user and system CPU time spent in fn.
func cpu(fn func()) time.Duration {
	var before, after syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	fn()
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	return time.Duration(after.Utime.Nano()-before.Utime.Nano()) + time.Duration(after.Stime.Nano()-before.Stime.Nano())
}
