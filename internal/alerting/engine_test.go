package alerting

import (
	"errors"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

var t0 = time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC) // a Monday

func testRule(mut func(*platformv1.AlertRule)) *platformv1.AlertRule {
	r := &platformv1.AlertRule{ObjectMeta: metav1.ObjectMeta{Namespace: "tenant-a", Name: "db-down"}}
	r.Spec.Severity = "critical"
	if mut != nil {
		mut(r)
	}
	return r
}

func active(tenant string, v float64) Sample {
	return Sample{Labels: Labels{"tenant": tenant}, Value: v}
}

// run steps a rule through evaluations one minute apart and returns the
// rule state after each, and every transition.
func run(rule *platformv1.AlertRule, evals ...Evaluation) ([]platformv1.AlertRuleStatus, []Transition) {
	var st platformv1.AlertRuleStatus
	var out []platformv1.AlertRuleStatus
	var all []Transition
	for i, ev := range evals {
		var tr []Transition
		st, tr = Step(rule, st, Input{Now: t0.Add(time.Duration(i) * time.Minute), Evaluation: ev, Heartbeat: time.Hour})
		out = append(out, st)
		all = append(all, tr...)
	}
	return out, all
}

func states(sts []platformv1.AlertRuleStatus) []platformv1.AlertState {
	out := make([]platformv1.AlertState, len(sts))
	for i, s := range sts {
		out[i] = s.State
	}
	return out
}

func TestStateMachine(t *testing.T) {
	on, off := Evaluation{Samples: []Sample{active("a", 1)}}, Evaluation{}
	const (
		I = platformv1.AlertInactive
		P = platformv1.AlertPending
		F = platformv1.AlertFiring
		R = platformv1.AlertResolved
	)
	for _, tc := range []struct {
		name  string
		rule  func(*platformv1.AlertRule)
		evals []Evaluation
		want  []platformv1.AlertState
	}{
		{"without for an active instance fires at once", nil,
			[]Evaluation{off, on, on, off}, []platformv1.AlertState{I, F, F, R}},
		{"pending until for has passed, then firing", func(r *platformv1.AlertRule) { r.Spec.For.Duration = 2 * time.Minute },
			[]Evaluation{on, on, on, on}, []platformv1.AlertState{P, P, F, F}},
		{"pending that stops being active goes back to inactive", func(r *platformv1.AlertRule) { r.Spec.For.Duration = 2 * time.Minute },
			[]Evaluation{on, off, on, on, on}, []platformv1.AlertState{P, I, P, P, F}},
		{"keepFiringFor holds a flapping alert firing", func(r *platformv1.AlertRule) { r.Spec.KeepFiringFor.Duration = 2 * time.Minute },
			[]Evaluation{on, off, on, off, off, off}, []platformv1.AlertState{F, F, F, F, F, R}},
		{"flapping without keepFiringFor resolves and fires again", nil,
			[]Evaluation{on, off, on, off}, []platformv1.AlertState{F, R, F, R}},
		{"an error keeps the instances as they were", nil,
			[]Evaluation{on, {Err: errors.New("connection refused")}, off}, []platformv1.AlertState{F, F, R}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sts, _ := run(testRule(tc.rule), tc.evals...)
			got := states(sts)
			for i := range tc.want {
				if got[i] != tc.want[i] {
					t.Fatalf("states %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestResolvedInstancesAreDroppedAfterRetention(t *testing.T) {
	rule := testRule(nil)
	st, _ := Step(rule, platformv1.AlertRuleStatus{}, Input{Now: t0, Evaluation: Evaluation{Samples: []Sample{active("a", 1)}}})
	st, _ = Step(rule, st, Input{Now: t0.Add(time.Minute)})
	if len(st.Instances) != 1 || st.Instances[0].State != platformv1.AlertResolved {
		t.Fatalf("instances %+v, want one Resolved", st.Instances)
	}
	st, _ = Step(rule, st, Input{Now: t0.Add(time.Minute + ResolvedRetention)})
	if len(st.Instances) != 0 || st.State != platformv1.AlertInactive {
		t.Fatalf("after retention: state %s instances %+v, want Inactive and none", st.State, st.Instances)
	}
}

func TestInstancesArePerLabelSet(t *testing.T) {
	rule := testRule(func(r *platformv1.AlertRule) { r.Spec.Labels = map[string]string{"team": "platform"} })
	sts, tr := run(rule,
		Evaluation{Samples: []Sample{active("a", 1), active("b", 2)}},
		Evaluation{Samples: []Sample{active("b", 3)}})
	last := sts[1]
	if len(last.Instances) != 2 {
		t.Fatalf("instances %+v, want a (resolved) and b (firing)", last.Instances)
	}
	a, b := last.Instances[0], last.Instances[1]
	if a.Labels["tenant"] != "a" || a.State != platformv1.AlertResolved || b.State != platformv1.AlertFiring {
		t.Fatalf("instances %+v", last.Instances)
	}
	for _, k := range []string{"alertname", "severity", "team", "tenant"} {
		if b.Labels[k] == "" {
			t.Errorf("instance lacks label %s: %v", k, b.Labels)
		}
	}
	if last.State != platformv1.AlertFiring || last.Value != "3" {
		t.Errorf("rule state %s value %q, want Firing 3", last.State, last.Value)
	}
	if len(tr) != 3 {
		t.Errorf("transitions %+v, want a and b firing, then a resolved", tr)
	}
}

func TestErrorHealthCarriesTheMessage(t *testing.T) {
	sts, _ := run(testRule(nil), Evaluation{}, Evaluation{Err: errors.New("no backup policy nightly")}, Evaluation{})
	if sts[0].Health != platformv1.HealthOK || sts[1].Health != platformv1.HealthError || sts[1].HealthMessage != "no backup policy nightly" || sts[2].Health != platformv1.HealthOK {
		t.Fatalf("health %s/%s %q/%s", sts[0].Health, sts[1].Health, sts[1].HealthMessage, sts[2].Health)
	}
}

// A steady firing alert whose value drifts changes nothing in status until
// the heartbeat, so the controller writes nothing.
func TestSteadyAlertKeepsStatusUntilHeartbeat(t *testing.T) {
	rule := testRule(nil)
	in := func(i int, v float64) Input {
		return Input{Now: t0.Add(time.Duration(i) * 30 * time.Second), Heartbeat: 5 * time.Minute,
			Evaluation: Evaluation{Samples: []Sample{active("a", v)}}}
	}
	first, _ := Step(rule, platformv1.AlertRuleStatus{}, in(0, 1))
	st := first
	for i := 1; i < 10; i++ {
		st, _ = Step(rule, st, in(i, float64(i)))
		if !equalStatus(st, first) {
			t.Fatalf("evaluation %d changed status: %+v", i, st)
		}
	}
	st, _ = Step(rule, st, in(10, 10))
	if st.Value != "10" || !st.LastEvaluationTime.Time.Equal(t0.Add(5*time.Minute)) {
		t.Fatalf("at the heartbeat: value %q last evaluation %v, want 10 and refreshed", st.Value, st.LastEvaluationTime)
	}
}

func TestFormatValue(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 1: "1", 0.052345: "0.0523", 93600: "93600", 2.5e10: "2.5e+10", 0.00001: "1e-05"} {
		if got := FormatValue(v); got != want {
			t.Errorf("FormatValue(%v) = %q, want %q", v, got, want)
		}
	}
}

// equalStatus compares statuses the way the API server would store them.
func equalStatus(a, b platformv1.AlertRuleStatus) bool {
	return equality.Semantic.DeepEqual(a, b)
}
