package v1

import "time"

// Defaults the API server applies; repeated here for objects built in Go
// (tests, the engine) that never went through it.
const (
	DefaultAlertInterval       = 30 * time.Second
	DefaultAlertGroupWait      = 30 * time.Second
	DefaultAlertRepeatInterval = 4 * time.Hour
)

// EvaluationInterval is spec.interval, 30s when unset.
func (r *AlertRule) EvaluationInterval() time.Duration {
	if r.Spec.Interval.Duration > 0 {
		return r.Spec.Interval.Duration
	}
	return DefaultAlertInterval
}

// GroupWait is spec.grouping.groupWait (where "0s" means no wait), 30s
// without grouping.
func (r *AlertRule) GroupWait() time.Duration {
	if g := r.Spec.Grouping; g != nil {
		return g.GroupWait.Duration
	}
	return DefaultAlertGroupWait
}

// RepeatInterval is spec.grouping.repeatInterval, 4h when unset.
func (r *AlertRule) RepeatInterval() time.Duration {
	if g := r.Spec.Grouping; g != nil && g.RepeatInterval.Duration > 0 {
		return g.RepeatInterval.Duration
	}
	return DefaultAlertRepeatInterval
}

// SendResolved is spec.grouping.sendResolved, true when unset.
func (r *AlertRule) SendResolved() bool {
	if g := r.Spec.Grouping; g != nil && g.SendResolved != nil {
		return *g.SendResolved
	}
	return true
}

// GroupBy is spec.grouping.groupBy.
func (r *AlertRule) GroupBy() []string {
	if r.Spec.Grouping == nil {
		return nil
	}
	return r.Spec.Grouping.GroupBy
}

// InhibitEqual is spec.inhibits.equal, ["tenant"] when unset; nil when the
// rule inhibits nothing.
func (r *AlertRule) InhibitEqual() []string {
	if r.Spec.Inhibits == nil {
		return nil
	}
	if len(r.Spec.Inhibits.Equal) == 0 {
		return []string{"tenant"}
	}
	return r.Spec.Inhibits.Equal
}
