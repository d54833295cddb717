package alerting

import (
	"context"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/rollout"
)

func TestSilences(t *testing.T) {
	until := metav1.NewTime(t0.Add(time.Hour))
	silence := func(ms ...platformv1.LabelMatcher) func(*platformv1.AlertRule) {
		return func(r *platformv1.AlertRule) {
			r.Spec.Silences = []platformv1.Silence{{Matchers: ms, Until: until, Reason: "migration", By: "sam"}}
		}
	}
	for _, tc := range []struct {
		name  string
		rule  func(*platformv1.AlertRule)
		l     Labels
		at    time.Time
		muted bool
	}{
		{"no matchers silence every instance", silence(), Labels{"tenant": "a"}, t0, true},
		{"equal matcher", silence(platformv1.LabelMatcher{Name: "tenant", Value: "a"}), Labels{"tenant": "a"}, t0, true},
		{"equal matcher, other value", silence(platformv1.LabelMatcher{Name: "tenant", Value: "a"}), Labels{"tenant": "b"}, t0, false},
		{"not equal", silence(platformv1.LabelMatcher{Name: "tenant", Operator: "!=", Value: "a"}), Labels{"tenant": "b"}, t0, true},
		{"anchored regexp", silence(platformv1.LabelMatcher{Name: "tenant", Operator: "=~", Value: "lin.*"}), Labels{"tenant": "old-lincoln"}, t0, false},
		{"regexp", silence(platformv1.LabelMatcher{Name: "tenant", Operator: "=~", Value: "lin.*"}), Labels{"tenant": "lincoln"}, t0, true},
		{"negative regexp", silence(platformv1.LabelMatcher{Name: "tenant", Operator: "!~", Value: "lin.*"}), Labels{"tenant": "lincoln"}, t0, false},
		{"missing label reads as empty", silence(platformv1.LabelMatcher{Name: "school", Value: ""}), Labels{"tenant": "a"}, t0, true},
		{"an ended silence mutes nothing", silence(), Labels{"tenant": "a"}, t0.Add(time.Hour), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			why := Muting{}.Why(testRule(tc.rule), tc.l, tc.at)
			if (why != "") != tc.muted {
				t.Fatalf("muted %q, want muted=%v", why, tc.muted)
			}
			if tc.muted && !strings.Contains(why, "silenced by sam") {
				t.Errorf("reason %q does not say who silenced it", why)
			}
		})
	}
}

// A tenant's database-down alert mutes that tenant's other alerts, not
// other tenants' and not itself.
func TestInhibition(t *testing.T) {
	m := Muting{Inhibitors: []Inhibitor{{Rule: "tenant-a/database-down", Labels: Labels{"tenant": "a", "alertname": "database-down"}, Equal: []string{"tenant"}}}}
	slow := testRule(func(r *platformv1.AlertRule) { r.Name = "slow-pages" })
	if why := m.Why(slow, Labels{"tenant": "a"}, t0); !strings.Contains(why, "inhibited by tenant-a/database-down") {
		t.Errorf("tenant a's other alert: %q, want inhibited", why)
	}
	if why := m.Why(slow, Labels{"tenant": "b"}, t0); why != "" {
		t.Errorf("tenant b's alert: %q, want not muted", why)
	}
	self := testRule(func(r *platformv1.AlertRule) { r.Name = "database-down" })
	if why := m.Why(self, Labels{"tenant": "a"}, t0); why != "" {
		t.Errorf("the inhibiting rule itself: %q, want not muted", why)
	}
	// Through Step: the instance is shown with the reason, and no message goes out.
	slow.Spec.Receivers = []platformv1.AlertReceiver{{Name: "sre"}}
	st, _ := Step(slow, platformv1.AlertRuleStatus{}, Input{Now: t0, Muting: m, Evaluation: Evaluation{Samples: []Sample{active("a", 1)}}})
	if st.State != platformv1.AlertFiring || st.Instances[0].Muted == "" {
		t.Fatalf("state %s muted %q, want Firing and muted", st.State, st.Instances[0].Muted)
	}
	if _, msgs := Plan(context.Background(), slow, st, t0.Add(time.Hour)); len(msgs) != 0 {
		t.Fatalf("an inhibited instance was announced: %+v", msgs)
	}
}

// Schools are closed or open in their own time zones: 15:30 UTC on a
// Monday is 09:30 in Chicago (open) and 16:30 in London (closed).
func TestMuteWhenSchoolsClosed(t *testing.T) {
	hours := platformv1.SchoolCalendar{Hours: []platformv1.TimeWindow{{Days: []platformv1.Weekday{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"}, Start: "08:00", End: "15:00"}}}
	chicago := rollout.School{Name: "tenant-a/lincoln-high", TimeZone: "America/Chicago", Calendar: hours}
	london := rollout.School{Name: "tenant-b/kings", TimeZone: "Europe/London", Calendar: hours}
	onHoliday := chicago
	onHoliday.Calendar.Holidays = []platformv1.Holiday{{Name: "Winter break", Start: "2026-11-30", End: "2026-12-04"}}
	broken := rollout.School{Name: "tenant-c/x", TimeZone: "Mars/Olympus", Calendar: hours}
	rule := testRule(func(r *platformv1.AlertRule) { r.Spec.MuteWhenSchoolsClosed = true })
	monday1530 := time.Date(2026, 11, 30, 15, 30, 0, 0, time.UTC)
	saturday := time.Date(2026, 12, 5, 15, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		schools []rollout.School
		at      time.Time
		muted   bool
	}{
		{"chicago in session", []rollout.School{chicago}, monday1530, false},
		{"london after school", []rollout.School{london}, monday1530, true},
		{"one of two open keeps it loud", []rollout.School{chicago, london}, monday1530, false},
		{"weekend", []rollout.School{chicago, london}, saturday, true},
		{"holiday", []rollout.School{onHoliday}, monday1530, true},
		{"no affected school is never muted", nil, saturday, false},
		{"an unreadable calendar counts as open", []rollout.School{broken}, saturday, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := Muting{Schools: func(Labels) []rollout.School { return tc.schools }}
			why := m.Why(rule, Labels{"tenant": "a"}, tc.at)
			if (why != "") != tc.muted {
				t.Fatalf("muted %q, want muted=%v", why, tc.muted)
			}
		})
	}
	off := testRule(nil)
	m := Muting{Schools: func(Labels) []rollout.School { return []rollout.School{london} }}
	if why := m.Why(off, Labels{}, monday1530); why != "" {
		t.Errorf("a rule without muteWhenSchoolsClosed was muted: %q", why)
	}
}

func TestAnnotationTemplates(t *testing.T) {
	l := Labels{"tenant": "lincoln-usd"}
	for text, want := range map[string]string{
		"plain text":                                       "plain text",
		"{{ $labels.tenant }} is down":                     "lincoln-usd is down",
		"value {{ $value }}":                               "value 0.25",
		"{{ $value | humanizePercentage }} errors":         "25% errors",
		"{{ 93600 | humanizeDuration }} old":               "1d 2h 0m 0s old",
		"{{ .Labels.tenant }}":                             "lincoln-usd",
		"{{ $labels.missing }}x":                           "x",
		"{{ if gt $value 0.1 }}high{{ else }}low{{ end }}": "high",
	} {
		if got := Expand(context.Background(), "r", text, l, 0.25, t0); got != want {
			t.Errorf("Expand(%q) = %q, want %q", text, got, want)
		}
	}
	if got := Expand(context.Background(), "r", "{{ $value | nosuchfunc }}", l, 1, t0); !strings.HasPrefix(got, "<error expanding template") {
		t.Errorf("a broken template gave %q, want it to say it failed", got)
	}
}
