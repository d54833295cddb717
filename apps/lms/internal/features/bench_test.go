package features

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"bellwork.dev/bellwork/pkg/flags"
)

// benchSet is a district's entry with 20 flags; the one asked about has a
// school override, a role rule and a percentage rollout, so an evaluation
// walks the whole precedence (override miss, rule miss, rollout hash).
func benchSet() flags.Set {
	onOff := map[string]json.RawMessage{"on": json.RawMessage("true"), "off": json.RawMessage("false")}
	s := flags.Set{}
	for i := range 19 {
		s[fmt.Sprintf("flag-%02d", i)] = flags.Flag{Variants: onOff, DefaultVariant: "off"}
	}
	s["roster-export"] = flags.Flag{Variants: onOff, DefaultVariant: "off",
		Overrides: flags.Overrides{Schools: map[string]string{"lincoln-usd/LHS-042": "on"}},
		Rules: []flags.Rule{
			{Roles: []string{"school_admin"}, Variant: "on"},
			{Roles: []string{"teacher"}, Rollout: &flags.Rollout{Variants: []flags.Weighted{{Variant: "on", Weight: 25}, {Variant: "off", Weight: 75}}}},
		}}
	return s
}

// BenchmarkEvaluationVsMapLookup reports evaluations per second through
// the LMS's API (Features.Enabled, counted in Prometheus as in a request)
// and, in the same run, lookups per second in a bare map[string]bool: the
// least a flag check could cost. The ratio is how many times slower a
// real evaluation is.
func BenchmarkEvaluationVsMapLookup(b *testing.B) {
	const n = 2_000_000
	set, m := benchSet(), NewMetrics()
	bare := map[string]bool{}
	for k := range set {
		bare[k] = false
	}
	users := make([]string, 1024)
	for i := range users {
		users[i] = fmt.Sprintf("user-%d", i)
	}
	for range b.N {
		hits := 0
		start := time.Now()
		for i := range n {
			if bare[keys[i&1]] {
				hits++
			}
		}
		mapPerSec := n / time.Since(start).Seconds()

		start = time.Now()
		for i := range n {
			f := New(set, flags.Context{Tenant: "lincoln-usd", School: "WES-007", Role: "teacher", UserID: users[i&1023]}, m)
			if f.Enabled(keys[i&1]) {
				hits++
			}
		}
		evalPerSec := n / time.Since(start).Seconds()
		if hits == 0 {
			b.Fatal("the rollout put no teacher in: the benchmark measures nothing real")
		}
		b.ReportMetric(evalPerSec, "evaluations/s")
		b.ReportMetric(mapPerSec, "map-lookups/s")
		b.ReportMetric(mapPerSec/evalPerSec, "ratio")
		b.Logf("%.0f evaluations/s through features.Enabled, %.0f bare map lookups/s: a map lookup is %.0fx faster",
			evalPerSec, mapPerSec, mapPerSec/evalPerSec)
	}
}

// keys alternates between the rolled-out flag and a static one.
var keys = [2]string{"roster-export", "flag-07"}
