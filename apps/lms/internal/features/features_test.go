package features

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"bellwork.dev/bellwork/pkg/flags"
)

func raw(s string) json.RawMessage { return json.RawMessage(s) }

// A set like an entry carries: a boolean targeted at one school, a string
// flag and an object flag.
var set = flags.Set{
	"roster-export": {Variants: map[string]json.RawMessage{"on": raw("true"), "off": raw("false")}, DefaultVariant: "off",
		Overrides: flags.Overrides{Schools: map[string]string{"lincoln-usd/LHS": "on"}}},
	"theme":  {Variants: map[string]json.RawMessage{"plain": raw(`"plain"`), "bold": raw(`"bold"`)}, DefaultVariant: "plain"},
	"limits": {Variants: map[string]json.RawMessage{"v1": raw(`{"max": 3}`)}, DefaultVariant: "v1"},
}

// The one API gives each flag for the context it was made for, and the
// caller's default where a flag is missing or of another type.
func TestFeaturesEvaluateForTheirContext(t *testing.T) {
	lhs := New(set, flags.Context{Tenant: "lincoln-usd", School: "LHS", Role: "teacher", UserID: "u1"}, nil)
	other := New(set, flags.Context{Tenant: "lincoln-usd", School: "WES", Role: "teacher", UserID: "u2"}, nil)
	if !lhs.Enabled("roster-export") || other.Enabled("roster-export") {
		t.Fatalf("roster-export: LHS %v, WES %v; want on at LHS only", lhs.Enabled("roster-export"), other.Enabled("roster-export"))
	}
	if lhs.Variant("roster-export") != "on" || other.Variant("roster-export") != "off" {
		t.Fatalf("variants %q %q", lhs.Variant("roster-export"), other.Variant("roster-export"))
	}
	if lhs.Enabled("missing") || lhs.Enabled("theme") {
		t.Fatal("a missing or non-boolean flag must read as off")
	}
	if got := lhs.String("theme", "x"); got != "plain" {
		t.Fatalf("theme = %q", got)
	}
	if got := lhs.String("roster-export", "x"); got != "x" {
		t.Fatalf("a boolean read as a string should give the default, got %q", got)
	}
	if got := lhs.Number("missing", 7); got != 7 {
		t.Fatalf("Number default = %v", got)
	}
	var lim struct{ Max int }
	if !lhs.Object("limits", &lim) || lim.Max != 3 {
		t.Fatalf("limits = %+v", lim)
	}
	if e := lhs.Evaluate("missing"); e.ErrorCode != flags.FlagNotFound {
		t.Fatalf("missing flag: %+v", e)
	}
	if got := strings.Join(lhs.Keys(), ","); got != "limits,roster-export,theme" {
		t.Fatalf("keys %s", got)
	}
	var zero Features
	if zero.Enabled("roster-export") || zero.Variant("roster-export") != "" {
		t.Fatal("the zero Features knows no flag")
	}
}

// Evaluations are counted by flag, variant and reason, and names the
// entry does not carry share one label value, whoever sends them.
func TestMetricsCountWithBoundedLabels(t *testing.T) {
	m := NewMetrics()
	f := New(set, flags.Context{Tenant: "lincoln-usd", School: "LHS", Role: "teacher", UserID: "u1"}, m)
	for range 3 {
		f.Enabled("roster-export")
	}
	f.Variant("theme")
	for i := range 50 {
		f.Enabled("attacker-" + strings.Repeat("x", i))
	}
	if got := testutil.ToFloat64(m.vec.WithLabelValues("roster-export", "on", "TARGETING_MATCH")); got != 3 {
		t.Fatalf("roster-export on = %v, want 3", got)
	}
	if got := testutil.ToFloat64(m.vec.WithLabelValues("theme", "plain", "STATIC")); got != 1 {
		t.Fatalf("theme plain = %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.vec.WithLabelValues(UnknownFlag, "", "ERROR")); got != 50 {
		t.Fatalf("unknown = %v, want 50", got)
	}
	if n := testutil.CollectAndCount(m.vec); n != 3 {
		t.Fatalf("%d series, want 3 (bounded labels)", n)
	}
}
