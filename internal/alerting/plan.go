package alerting

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// Message kinds.
const (
	KindFiring   = "firing"
	KindRepeat   = "repeat"
	KindResolved = "resolved"
)

// Alert is one instance as a message shows it.
type Alert struct {
	Labels      Labels            `json:"labels"`
	Annotations map[string]string `json:"annotations,omitempty"`
	State       string            `json:"state"`
	Value       string            `json:"value"`
	ActiveSince time.Time         `json:"activeSince"`
	ResolvedAt  *time.Time        `json:"resolvedAt,omitempty"`
}

// Message is one notification: a group's firing (or resolved) instances.
type Message struct {
	// Rule is "namespace/name".
	Rule     string    `json:"rule"`
	Group    string    `json:"group"`
	Kind     string    `json:"kind"`
	Severity string    `json:"severity,omitempty"`
	Alerts   []Alert   `json:"alerts"`
	Time     time.Time `json:"time"`

	fingerprint string
}

// Plan decides what to send at now, group by group: a group's first
// message after group wait, a new one when its firing set changes, a repeat
// after the repeat interval, and a resolved message when nothing in it
// fires any more. It returns the groups as they stand before delivery
// (first seen, forgotten) and the messages; Delivered records the outcome.
// Muted instances count as not firing. A rule without receivers sends
// nothing and keeps no groups.
func Plan(ctx context.Context, rule *platformv1.AlertRule, st platformv1.AlertRuleStatus, now time.Time) ([]platformv1.NotificationGroup, []Message) {
	if len(rule.Spec.Receivers) == 0 {
		return nil, nil
	}
	firing, resolved := map[string][]platformv1.AlertInstance{}, map[string][]platformv1.AlertInstance{}
	for _, inst := range st.Instances {
		key := Labels(inst.Labels).subset(rule.GroupBy())
		if len(rule.GroupBy()) == 0 {
			key = ""
		}
		switch {
		case inst.State == platformv1.AlertFiring && inst.Muted == "":
			firing[key] = append(firing[key], inst)
		case inst.State == platformv1.AlertResolved:
			resolved[key] = append(resolved[key], inst)
		}
	}
	stamp := metav1.NewTime(now.Truncate(time.Second))
	var groups []platformv1.NotificationGroup
	var out []Message
	known := map[string]bool{}
	for _, g := range st.Groups {
		known[g.Key] = true
		g := *g.DeepCopy()
		if msg, keep := planGroup(ctx, rule, &g, firing[g.Key], resolved[g.Key], now); keep {
			groups = append(groups, g)
			if msg != nil {
				out = append(out, *msg)
			}
		} else if msg != nil {
			out = append(out, *msg)
		}
	}
	for _, key := range sortedKeys(firing) {
		if known[key] {
			continue
		}
		g := platformv1.NotificationGroup{Key: key, FirstSeen: &stamp}
		msg, _ := planGroup(ctx, rule, &g, firing[key], nil, now)
		groups = append(groups, g)
		if msg != nil {
			out = append(out, *msg)
		}
	}
	slices.SortFunc(groups, func(a, b platformv1.NotificationGroup) int { return strings.Compare(a.Key, b.Key) })
	return groups, out
}

// planGroup decides one group's message; keep is false when the group has
// nothing left to remember (its resolved message is the last word).
func planGroup(ctx context.Context, rule *platformv1.AlertRule, g *platformv1.NotificationGroup, firing, resolved []platformv1.AlertInstance, now time.Time) (msg *Message, keep bool) {
	if len(firing) == 0 {
		if g.Sent == "" || !rule.SendResolved() {
			return nil, false
		}
		m := message(ctx, rule, g.Key, KindResolved, resolved, now)
		m.fingerprint = ""
		return &m, true
	}
	if g.FirstSeen == nil {
		g.FirstSeen = ptr(metav1.NewTime(now.Truncate(time.Second)))
	}
	fp := fingerprint(firing)
	switch {
	case g.Sent == "" && now.Sub(g.FirstSeen.Time) < rule.GroupWait():
		return nil, true
	case g.Sent != fp:
		m := message(ctx, rule, g.Key, KindFiring, firing, now)
		m.fingerprint = fp
		return &m, true
	case g.LastSent == nil || now.Sub(g.LastSent.Time) >= rule.RepeatInterval():
		m := message(ctx, rule, g.Key, KindRepeat, firing, now)
		m.fingerprint = fp
		return &m, true
	}
	return nil, true
}

func message(ctx context.Context, rule *platformv1.AlertRule, group, kind string, insts []platformv1.AlertInstance, now time.Time) Message {
	m := Message{Rule: rule.Namespace + "/" + rule.Name, Group: group, Kind: kind, Severity: rule.Spec.Severity, Time: now.UTC()}
	for _, inst := range insts {
		v, _ := strconv.ParseFloat(inst.Value, 64)
		a := Alert{Labels: inst.Labels, State: string(inst.State), Value: inst.Value,
			Annotations: Annotations(ctx, rule.Name, rule.Spec.Annotations, inst.Labels, v, now)}
		if inst.ActiveSince != nil {
			a.ActiveSince = inst.ActiveSince.UTC()
		}
		if inst.ResolvedAt != nil {
			a.ResolvedAt = ptr(inst.ResolvedAt.UTC())
		}
		m.Alerts = append(m.Alerts, a)
	}
	return m
}

// fingerprint names a set of firing instances.
func fingerprint(insts []platformv1.AlertInstance) string {
	keys := make([]string, len(insts))
	for i, inst := range insts {
		keys[i] = Labels(inst.Labels).Key()
	}
	slices.Sort(keys)
	sum := sha256.Sum256([]byte(strings.Join(keys, "\n")))
	return hex.EncodeToString(sum[:8])
}

// Delivered records a message's delivery to every receiver (errs by
// receiver name, nil for a success) in groups and returns the record for
// status.lastNotification. A message that failed anywhere leaves its group
// as it was, so the next evaluation plans it again.
func Delivered(groups []platformv1.NotificationGroup, m Message, errs map[string]error, now time.Time) ([]platformv1.NotificationGroup, platformv1.NotificationRecord) {
	rec := platformv1.NotificationRecord{Time: metav1.NewTime(now.Truncate(time.Second)), Group: m.Group, Kind: m.Kind, Result: platformv1.NotificationSent}
	names := sortedKeys(errs)
	for _, name := range names {
		if err := errs[name]; err != nil {
			rec.Receiver, rec.Result, rec.Message = name, platformv1.NotificationFailed, err.Error()
			return groups, rec
		}
	}
	rec.Receiver = strings.Join(names, ", ")
	out := groups[:0:0]
	for _, g := range groups {
		if g.Key == m.Group {
			if m.Kind == KindResolved {
				continue
			}
			g.LastSent, g.Sent = &rec.Time, m.fingerprint
		}
		out = append(out, g)
	}
	return out, rec
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
