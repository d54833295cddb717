package alerting

import (
	"fmt"
	"strings"
	"time"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/rollout"
)

// Inhibitor is a firing instance of a rule that inhibits (spec.inhibits).
type Inhibitor struct {
	// Rule is "namespace/name" of the inhibiting rule.
	Rule   string
	Labels Labels
	// Equal are the labels a muted instance must share with it.
	Equal []string
}

// Muting is what decides whether an instance's notifications are held back
// besides the rule's own silences.
type Muting struct {
	// Inhibitors are the firing instances of every inhibiting rule.
	Inhibitors []Inhibitor
	// Schools are the schools an instance affects (see
	// spec.muteWhenSchoolsClosed); nil when it affects none.
	Schools func(Labels) []rollout.School
}

// Why says why notifications of the instance with labels l are muted at
// now, or "" when they are not. The first reason found wins: silences, then
// inhibition, then schools closed.
func (m Muting) Why(rule *platformv1.AlertRule, l Labels, now time.Time) string {
	for _, s := range rule.Spec.Silences {
		if now.Before(s.Until.Time) && Matches(l, s.Matchers) {
			return fmt.Sprintf("silenced by %s until %s: %s", s.By, s.Until.UTC().Format(time.RFC3339), s.Reason)
		}
	}
	self := rule.Namespace + "/" + rule.Name
	for _, in := range m.Inhibitors {
		if in.Rule == self {
			continue
		}
		if l.subset(in.Equal) == in.Labels.subset(in.Equal) {
			return fmt.Sprintf("inhibited by %s (%s)", in.Rule, in.Labels.subset(in.Equal))
		}
	}
	if rule.Spec.MuteWhenSchoolsClosed && m.Schools != nil {
		if why := schoolsClosed(m.Schools(l), now); why != "" {
			return why
		}
	}
	return ""
}

// schoolsClosed is a reason when every school is closed at now. A school
// whose calendar cannot be read counts as open: muting on a guess could
// hide an outage in class.
func schoolsClosed(schools []rollout.School, now time.Time) string {
	if len(schools) == 0 {
		return ""
	}
	names := make([]string, 0, len(schools))
	for _, s := range schools {
		open, err := rollout.InSession(s, now)
		if err != nil || open {
			return ""
		}
		names = append(names, s.Name)
	}
	if len(names) > 3 {
		names = append(names[:3], fmt.Sprintf("and %d more", len(names)-3))
	}
	return "schools closed: " + strings.Join(names, ", ")
}
