package alerting

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// Sample is one active series of an evaluation: its labels and value.
type Sample struct {
	Labels Labels
	Value  float64
}

// Evaluation is what one evaluation of a rule found.
type Evaluation struct {
	// Samples are the active series; none means nothing is wrong.
	Samples []Sample
	// Err is why the rule could not be evaluated; the instances then keep
	// their state and health becomes Error.
	Err error
}

// ResolvedRetention is how long a Resolved instance stays in status, so an
// SRE who looks a little later still sees what happened.
const ResolvedRetention = 15 * time.Minute

// Transition is one instance's change of state, for an Event.
type Transition struct {
	Labels Labels
	From   platformv1.AlertState
	To     platformv1.AlertState
	Value  string
}

// Input is everything one step needs besides the rule and its status.
type Input struct {
	Now        time.Time
	Evaluation Evaluation
	Muting     Muting
	// Heartbeat is how stale values and the last evaluation time may grow
	// when nothing else changed (see AlertRuleStatus).
	Heartbeat time.Duration
}

// Step advances every instance of rule by one evaluation and returns the
// next status (notification groups untouched; see Plan) and the state
// changes to announce.
func Step(rule *platformv1.AlertRule, prev platformv1.AlertRuleStatus, in Input) (platformv1.AlertRuleStatus, []Transition) {
	now := metav1.NewTime(in.Now.Truncate(time.Second))
	next := *prev.DeepCopy()
	var changes []Transition

	if err := in.Evaluation.Err; err != nil {
		next.Health, next.HealthMessage = platformv1.HealthError, err.Error()
	} else {
		next.Health, next.HealthMessage = platformv1.HealthOK, ""
		next.Instances, changes = advance(rule, prev.Instances, in.Evaluation.Samples, now)
	}
	for i := range next.Instances {
		next.Instances[i].Muted = in.Muting.Why(rule, Labels(next.Instances[i].Labels), in.Now)
	}
	summarize(&next, prev, now)

	// Values drift at every evaluation; write them with a real change, or
	// once a heartbeat so a steady alert still shows it is alive.
	stale := prev.LastEvaluationTime == nil || in.Now.Sub(prev.LastEvaluationTime.Time) >= in.Heartbeat
	if stale || !sameExceptValues(prev, next) {
		next.LastEvaluationTime = &now
	} else {
		keepValues(&next, prev)
	}
	return next, changes
}

// advance is the state machine over the instances.
func advance(rule *platformv1.AlertRule, prev []platformv1.AlertInstance, samples []Sample, now metav1.Time) ([]platformv1.AlertInstance, []Transition) {
	active := map[string]Sample{}
	for _, s := range samples {
		l := instanceLabels(rule, s.Labels)
		active[l.Key()] = Sample{Labels: l, Value: s.Value}
	}
	var out []platformv1.AlertInstance
	var changes []Transition
	seen := map[string]bool{}
	note := func(l Labels, from, to platformv1.AlertState, v string) {
		if from != to {
			changes = append(changes, Transition{Labels: l, From: from, To: to, Value: v})
		}
	}
	for _, old := range prev {
		key := Labels(old.Labels).Key()
		seen[key] = true
		// A shallow copy: labels are never changed, and times are replaced,
		// not written through.
		inst := old
		s, isActive := active[key]
		if isActive {
			inst.Value = FormatValue(s.Value)
		}
		switch {
		case isActive && inst.State == platformv1.AlertResolved:
			inst = start(rule, s, now)
		case isActive:
			inst.InactiveSince = nil
			if inst.State == platformv1.AlertPending && now.Sub(inst.ActiveSince.Time) >= rule.Spec.For.Duration {
				inst.State, inst.FiredAt = platformv1.AlertFiring, ptr(now)
			}
		case inst.State == platformv1.AlertPending:
			note(Labels(inst.Labels), inst.State, platformv1.AlertInactive, inst.Value)
			continue
		case inst.State == platformv1.AlertFiring:
			if inst.InactiveSince == nil {
				inst.InactiveSince = ptr(now)
			}
			if now.Sub(inst.InactiveSince.Time) >= rule.Spec.KeepFiringFor.Duration {
				inst.State, inst.ResolvedAt, inst.InactiveSince = platformv1.AlertResolved, ptr(now), nil
			}
		case inst.State == platformv1.AlertResolved && now.Sub(inst.ResolvedAt.Time) >= ResolvedRetention:
			continue
		}
		note(Labels(inst.Labels), old.State, inst.State, inst.Value)
		out = append(out, inst)
	}
	for _, key := range slices.Sorted(maps.Keys(active)) {
		if seen[key] {
			continue
		}
		inst := start(rule, active[key], now)
		note(active[key].Labels, platformv1.AlertInactive, inst.State, inst.Value)
		out = append(out, inst)
	}
	sortByKey(out)
	return out, changes
}

// sortByKey orders instances by their label keys, computing each key once.
func sortByKey(insts []platformv1.AlertInstance) {
	keyed := make([]struct {
		key  string
		inst platformv1.AlertInstance
	}, len(insts))
	for i, inst := range insts {
		keyed[i].key, keyed[i].inst = Labels(inst.Labels).Key(), inst
	}
	slices.SortFunc(keyed, func(a, b struct {
		key  string
		inst platformv1.AlertInstance
	}) int {
		return cmp.Compare(a.key, b.key)
	})
	for i := range keyed {
		insts[i] = keyed[i].inst
	}
}

// start is a newly active instance: Pending, or Firing at once without for.
func start(rule *platformv1.AlertRule, s Sample, now metav1.Time) platformv1.AlertInstance {
	inst := platformv1.AlertInstance{Labels: s.Labels, State: platformv1.AlertPending, ActiveSince: ptr(now), Value: FormatValue(s.Value)}
	if rule.Spec.For.Duration <= 0 {
		inst.State, inst.FiredAt = platformv1.AlertFiring, ptr(now)
	}
	return inst
}

// instanceLabels are the sample's labels with the rule's over them, and
// alertname and severity, as Prometheus adds them.
func instanceLabels(rule *platformv1.AlertRule, l Labels) Labels {
	out := Labels{}
	for k, v := range l {
		if k != "__name__" {
			out[k] = v
		}
	}
	maps.Copy(out, rule.Spec.Labels)
	out["alertname"] = rule.Name
	if rule.Spec.Severity != "" {
		out["severity"] = rule.Spec.Severity
	}
	return out
}

var stateRank = map[platformv1.AlertState]int{platformv1.AlertFiring: 3, platformv1.AlertPending: 2, platformv1.AlertResolved: 1}

// summarize sets the rule's State, Value and Since from its worst instance.
func summarize(next *platformv1.AlertRuleStatus, prev platformv1.AlertRuleStatus, now metav1.Time) {
	state, value, since := platformv1.AlertInactive, "", (*metav1.Time)(nil)
	for _, inst := range next.Instances {
		s := inst.ActiveSince
		if inst.State == platformv1.AlertFiring {
			s = inst.FiredAt
		} else if inst.State == platformv1.AlertResolved {
			s = inst.ResolvedAt
		}
		if stateRank[inst.State] > stateRank[state] || stateRank[inst.State] == stateRank[state] && since != nil && s.Before(since) {
			state, value, since = inst.State, inst.Value, s
		}
	}
	if state == platformv1.AlertInactive {
		since = prev.Since
		if prev.State != platformv1.AlertInactive || since == nil {
			since = ptr(now)
		}
	}
	next.State, next.Value, next.Since = state, value, since
	if len(next.Instances) > maxInstances {
		next.OmittedInstances = int32(len(next.Instances) - maxInstances)
		next.Instances = next.Instances[:maxInstances]
	} else {
		next.OmittedInstances = 0
	}
}

// maxInstances is the schema's bound on status.instances.
const maxInstances = 100

// sameExceptValues compares what Step changes in two statuses, ignoring
// values and the last evaluation time. Field by field, not a deep copy and
// reflection: it runs for every rule at every evaluation.
func sameExceptValues(a, b platformv1.AlertRuleStatus) bool {
	if a.State != b.State || !sameTime(a.Since, b.Since) || a.Health != b.Health || a.HealthMessage != b.HealthMessage ||
		a.OmittedInstances != b.OmittedInstances || len(a.Instances) != len(b.Instances) {
		return false
	}
	for i := range a.Instances {
		x, y := &a.Instances[i], &b.Instances[i]
		if x.State != y.State || x.Muted != y.Muted || !maps.Equal(x.Labels, y.Labels) ||
			!sameTime(x.ActiveSince, y.ActiveSince) || !sameTime(x.FiredAt, y.FiredAt) ||
			!sameTime(x.ResolvedAt, y.ResolvedAt) || !sameTime(x.InactiveSince, y.InactiveSince) {
			return false
		}
	}
	return true
}

func sameTime(a, b *metav1.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Time.Equal(b.Time)
}

// keepValues puts prev's values back where the instances are the same.
func keepValues(next *platformv1.AlertRuleStatus, prev platformv1.AlertRuleStatus) {
	next.Value, next.LastEvaluationTime = prev.Value, prev.LastEvaluationTime
	for i := range next.Instances {
		next.Instances[i].Value = prev.Instances[i].Value
	}
}

// FormatValue writes a value for people: plain decimals, at most four
// places, and exponents only for very large or small numbers.
func FormatValue(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return strconv.FormatFloat(v, 'f', -1, 64)
	case v != 0 && (math.Abs(v) >= 1e9 || math.Abs(v) < 1e-4):
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
	return strconv.FormatFloat(math.Round(v*1e4)/1e4, 'f', -1, 64)
}

func ptr[T any](v T) *T { return &v }
