package alerting

import (
	"context"
	"errors"
	"testing"
	"time"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// notifier steps a rule and plans its messages the way the controller
// does, delivering each with the outcome deliver gives.
type notifier struct {
	rule    *platformv1.AlertRule
	st      platformv1.AlertRuleStatus
	deliver func(Message) error
	sent    []Message
}

func (n *notifier) at(now time.Time, samples ...Sample) []Message {
	n.st, _ = Step(n.rule, n.st, Input{Now: now, Evaluation: Evaluation{Samples: samples}, Heartbeat: time.Hour})
	groups, msgs := Plan(context.Background(), n.rule, n.st, now)
	var out []Message
	for _, m := range msgs {
		var err error
		if n.deliver != nil {
			err = n.deliver(m)
		}
		var rec platformv1.NotificationRecord
		groups, rec = Delivered(groups, m, map[string]error{"sre": err}, now)
		n.st.LastNotification = &rec
		if err == nil {
			out = append(out, m)
		}
	}
	n.st.Groups = groups
	n.sent = append(n.sent, out...)
	return out
}

func kinds(ms []Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Kind+":"+m.Group)
	}
	return out
}

func grouped(groupBy ...string) *platformv1.AlertRule {
	return testRule(func(r *platformv1.AlertRule) {
		r.Spec.Receivers = []platformv1.AlertReceiver{{Name: "sre"}}
		r.Spec.Grouping = &platformv1.AlertGrouping{GroupBy: groupBy}
		r.Spec.Grouping.GroupWait.Duration = time.Minute
		r.Spec.Grouping.RepeatInterval.Duration = time.Hour
		r.Spec.Annotations = map[string]string{"summary": "{{ $labels.tenant }} is down"}
	})
}

func TestGroupWaitGathersInstancesIntoOneMessage(t *testing.T) {
	n := &notifier{rule: grouped()}
	if got := n.at(t0, active("a", 1)); len(got) != 0 {
		t.Fatalf("sent during group wait: %v", kinds(got))
	}
	if got := n.at(t0.Add(30*time.Second), active("a", 1), active("b", 1)); len(got) != 0 {
		t.Fatalf("sent during group wait: %v", kinds(got))
	}
	got := n.at(t0.Add(time.Minute), active("a", 1), active("b", 1))
	if len(got) != 1 || got[0].Kind != KindFiring || len(got[0].Alerts) != 2 {
		t.Fatalf("after group wait: %+v, want one firing message with both", got)
	}
	if got[0].Alerts[0].Annotations["summary"] != "a is down" {
		t.Errorf("summary %q, want the template expanded", got[0].Alerts[0].Annotations["summary"])
	}
}

func TestGroupByMakesOneMessagePerGroup(t *testing.T) {
	n := &notifier{rule: grouped("tenant")}
	n.at(t0, active("a", 1), active("b", 1))
	got := n.at(t0.Add(time.Minute), active("a", 1), active("b", 1))
	if want := []string{"firing:tenant=a", "firing:tenant=b"}; len(got) != 2 || kinds(got)[0] != want[0] || kinds(got)[1] != want[1] {
		t.Fatalf("messages %v, want %v", kinds(got), want)
	}
}

func TestRepeatChangeAndResolved(t *testing.T) {
	n := &notifier{rule: grouped()}
	n.rule.Spec.Grouping.GroupWait.Duration = 0
	steps := []struct {
		after   time.Duration
		samples []Sample
		want    []string
	}{
		{0, []Sample{active("a", 1)}, []string{"firing:"}},
		{30 * time.Minute, []Sample{active("a", 1)}, nil},
		{61 * time.Minute, []Sample{active("a", 1)}, []string{"repeat:"}},
		{62 * time.Minute, []Sample{active("a", 1), active("b", 1)}, []string{"firing:"}}, // the set changed
		{63 * time.Minute, []Sample{active("b", 1)}, []string{"firing:"}},
		{64 * time.Minute, nil, []string{"resolved:"}},
		{65 * time.Minute, nil, nil},
	}
	for _, s := range steps {
		got := kinds(n.at(t0.Add(s.after), s.samples...))
		if len(got) != len(s.want) || len(got) > 0 && got[0] != s.want[0] {
			t.Fatalf("at +%v: sent %v, want %v", s.after, got, s.want)
		}
	}
	if len(n.st.Groups) != 0 {
		t.Errorf("groups %+v remain after the resolved message", n.st.Groups)
	}
}

func TestNoResolvedMessageWhenNotWanted(t *testing.T) {
	n := &notifier{rule: grouped()}
	n.rule.Spec.Grouping.GroupWait.Duration = 0
	n.rule.Spec.Grouping.SendResolved = new(bool)
	n.at(t0, active("a", 1))
	if got := n.at(t0.Add(time.Minute)); len(got) != 0 {
		t.Fatalf("sent %v with sendResolved false", kinds(got))
	}
}

// A failed delivery leaves the group as it was, so the next evaluation
// tries again; the record says what failed.
func TestFailedDeliveryIsPlannedAgain(t *testing.T) {
	fail := true
	n := &notifier{rule: grouped(), deliver: func(Message) error {
		if fail {
			return errors.New("the webhook answered 503")
		}
		return nil
	}}
	n.rule.Spec.Grouping.GroupWait.Duration = 0
	n.at(t0, active("a", 1))
	if r := n.st.LastNotification; r == nil || r.Result != platformv1.NotificationFailed || r.Message != "the webhook answered 503" {
		t.Fatalf("record %+v, want Failed with the reason", r)
	}
	fail = false
	got := n.at(t0.Add(time.Minute), active("a", 1))
	if len(got) != 1 || got[0].Kind != KindFiring || n.st.LastNotification.Result != platformv1.NotificationSent {
		t.Fatalf("retry sent %v (record %+v), want the firing message", kinds(got), n.st.LastNotification)
	}
}

func TestRuleWithoutReceiversKeepsNoGroups(t *testing.T) {
	n := &notifier{rule: testRule(nil)}
	if got := n.at(t0, active("a", 1)); len(got) != 0 || len(n.st.Groups) != 0 {
		t.Fatalf("sent %v groups %+v", kinds(got), n.st.Groups)
	}
}
