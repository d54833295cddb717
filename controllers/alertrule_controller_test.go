package controllers_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/controllers"
)

// slackSink is a Slack-compatible receiver on 127.0.0.1.
type slackSink struct {
	mu    sync.Mutex
	texts []string
}

func (s *slackSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.texts = append(s.texts, string(b))
}

func (s *slackSink) has(word string) (bool, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.texts {
		if strings.Contains(t, word) {
			return true, ""
		}
	}
	return false, fmt.Sprintf("no message with %q among %d", word, len(s.texts))
}

func getRule(t testing.TB, ns, name string) *platformv1.AlertRule {
	t.Helper()
	r := &platformv1.AlertRule{}
	if err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, r); err != nil {
		t.Fatal(err)
	}
	return r
}

func waitRule(t testing.TB, ns, name string, timeout time.Duration, cond func(*platformv1.AlertRule) bool) *platformv1.AlertRule {
	t.Helper()
	var r *platformv1.AlertRule
	eventually(t, timeout, func() (bool, string) {
		r = getRule(t, ns, name)
		return cond(r), fmt.Sprintf("rule %s/%s: state %s health %s %q instances %+v conditions %s", ns, name,
			r.Status.State, r.Status.Health, r.Status.HealthMessage, r.Status.Instances, conditions(r.Status.Conditions))
	})
	return r
}

// watchRuleWrites counts the updates of an AlertRule from now on.
func watchRuleWrites(t testing.TB, ns, name string) func() int {
	t.Helper()
	wc, err := client.NewWithWatch(env.Config, client.Options{Scheme: env.Client.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	start := getRule(t, ns, name).ResourceVersion
	w, err := wc.Watch(context.Background(), &platformv1.AlertRuleList{}, client.InNamespace(ns),
		client.MatchingFields{"metadata.name": name}, &client.ListOptions{Raw: &metav1.ListOptions{ResourceVersion: start}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	var mu sync.Mutex
	n, last := 0, start
	go func() {
		for ev := range w.ResultChan() {
			if r, ok := ev.Object.(*platformv1.AlertRule); ok && ev.Type == watch.Modified {
				mu.Lock()
				n, last = n+1, r.ResourceVersion
				mu.Unlock()
			}
		}
	}()
	return func() int {
		want := getRule(t, ns, name).ResourceVersion
		eventually(t, 10*time.Second, func() (bool, string) {
			mu.Lock()
			defer mu.Unlock()
			return last == want, fmt.Sprintf("the watch has delivered version %q of %q", last, want)
		})
		mu.Lock()
		defer mu.Unlock()
		return n
	}
}

// An HTTP probe goes Pending, then Firing after for, and a message reaches
// the receiver; while it keeps firing, evaluations write nothing; when the
// URL recovers it resolves, with a resolved message and Events.
func TestAlertRuleFiresNotifiesAndWritesOnlyOnChange(t *testing.T) {
	const ns = "alerts-probe"
	ensureNamespace(t, ns)
	var healthy atomic.Bool
	var probes atomic.Int64
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		probes.Add(1)
		if !healthy.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
		}
	}))
	defer target.Close()
	sink := &slackSink{}
	receiver := httptest.NewServer(sink)
	defer receiver.Close()
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "receiver"},
		StringData: map[string]string{"url": receiver.URL + "/slack"}})

	startManager(t, func(o *controllers.Options) { o.AlertRule.Heartbeat = time.Hour })
	rule := &platformv1.AlertRule{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "lms-down"}}
	if err := yaml.Unmarshal([]byte(fmt.Sprintf(`
check: {type: HTTPProbe, httpProbe: {url: %q}}
interval: 5s
for: 4s
annotations: {summary: "the LMS answers {{ $value }}"}
receivers: [{name: sre, slack: {url: {name: receiver, key: url}}}]
grouping: {groupWait: 0s}
`, target.URL+"/readyz")), &rule.Spec); err != nil {
		t.Fatal(err)
	}
	create(t, rule)

	waitRule(t, ns, rule.Name, 30*time.Second, func(r *platformv1.AlertRule) bool { return r.Status.State == platformv1.AlertPending })
	r := waitRule(t, ns, rule.Name, 30*time.Second, func(r *platformv1.AlertRule) bool { return r.Status.State == platformv1.AlertFiring })
	if r.Status.Value != "503" || r.Status.Health != platformv1.HealthOK || len(r.Status.Instances) != 1 || r.Status.Instances[0].Labels["url"] == "" {
		t.Errorf("firing status %+v, want value 503, health OK and one instance labelled by url", r.Status)
	}
	eventually(t, 20*time.Second, func() (bool, string) { return sink.has("the LMS answers 503") })
	waitRule(t, ns, rule.Name, 20*time.Second, func(r *platformv1.AlertRule) bool {
		return r.Status.LastNotification != nil && r.Status.LastNotification.Result == platformv1.NotificationSent &&
			meta.IsStatusConditionTrue(r.Status.Conditions, platformv1.AlertNotificationsHealthy)
	})

	// Steady: three more evaluations (the probe counts them) write nothing.
	writes := watchRuleWrites(t, ns, rule.Name)
	from := probes.Load()
	eventually(t, 60*time.Second, func() (bool, string) {
		return probes.Load() >= from+3, fmt.Sprintf("%d evaluations since the alert fired", probes.Load()-from)
	})
	if n := writes(); n != 0 {
		t.Fatalf("a steadily firing alert wrote its status %d times in three evaluations, want 0", n)
	}

	healthy.Store(true)
	waitRule(t, ns, rule.Name, 30*time.Second, func(r *platformv1.AlertRule) bool { return r.Status.State == platformv1.AlertResolved })
	eventually(t, 20*time.Second, func() (bool, string) { return sink.has("RESOLVED") })
	if n := writes(); n == 0 {
		t.Error("resolving wrote nothing")
	}
	eventually(t, 20*time.Second, func() (bool, string) {
		var evs corev1.EventList
		if err := env.Client.List(context.Background(), &evs, client.InNamespace(ns)); err != nil {
			return false, err.Error()
		}
		seen := map[string]bool{}
		for _, e := range evs.Items {
			if e.InvolvedObject.Name == rule.Name {
				seen[e.Reason] = true
			}
		}
		return seen[platformv1.EventAlertPending] && seen[platformv1.EventAlertFiring] && seen[platformv1.EventAlertResolved],
			fmt.Sprintf("events seen: %v", seen)
	})
}

// A rule that cannot evaluate says why, never OK; a receiver whose Secret
// is missing makes NotificationsHealthy false.
func TestAlertRuleErrorsAreVisible(t *testing.T) {
	const ns = "alerts-errors"
	ensureNamespace(t, ns)
	startManager(t, nil)
	backup := &platformv1.AlertRule{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "backup-age"}}
	backup.Spec.Check = &platformv1.AlertCheck{Type: platformv1.CheckBackupAge,
		BackupAge: &platformv1.BackupAgeCheck{BackupPolicy: "nightly", MaxAge: metav1.Duration{Duration: time.Hour}}}
	firing := &platformv1.AlertRule{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "always"}}
	firing.Spec.Expr = "vector(1)"
	firing.Spec.Grouping = &platformv1.AlertGrouping{}
	firing.Spec.Receivers = []platformv1.AlertReceiver{{Name: "sre", Slack: &platformv1.SlackReceiver{URL: platformv1.SecretKeyReference{Name: "missing", Key: "url"}}}}
	create(t, backup, firing)

	r := waitRule(t, ns, backup.Name, 30*time.Second, func(r *platformv1.AlertRule) bool { return r.Status.Health != "" })
	if r.Status.Health != platformv1.HealthError || !strings.Contains(r.Status.HealthMessage, `no backup policy "nightly"`) ||
		!meta.IsStatusConditionFalse(r.Status.Conditions, platformv1.ConditionReady) {
		t.Errorf("backup-age without a policy: health %s %q conditions %s", r.Status.Health, r.Status.HealthMessage, conditions(r.Status.Conditions))
	}
	r = waitRule(t, ns, firing.Name, 30*time.Second, func(r *platformv1.AlertRule) bool {
		return meta.FindStatusCondition(r.Status.Conditions, platformv1.AlertNotificationsHealthy) != nil
	})
	c := meta.FindStatusCondition(r.Status.Conditions, platformv1.AlertNotificationsHealthy)
	if r.Status.State != platformv1.AlertFiring || c.Status != metav1.ConditionFalse || !strings.Contains(c.Message, "missing") ||
		r.Status.LastNotification == nil || r.Status.LastNotification.Result != platformv1.NotificationFailed {
		t.Errorf("firing with a missing receiver Secret: state %s condition %+v last %+v", r.Status.State, c, r.Status.LastNotification)
	}
}

// A tenant's database-down alert mutes that tenant's other alerts, not
// another tenant's: the muted instance shows why, and no message goes out
// for it.
func TestAlertRuleInhibition(t *testing.T) {
	const ns = "alerts-inhibit"
	ensureNamespace(t, ns)
	sink := &slackSink{}
	receiver := httptest.NewServer(sink)
	defer receiver.Close()
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "receiver"},
		StringData: map[string]string{"url": receiver.URL + "/slack"}})
	startManager(t, nil)
	rule := func(name, tenant string, mutate func(*platformv1.AlertRule)) *platformv1.AlertRule {
		r := &platformv1.AlertRule{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
		r.Spec.Expr = "vector(1)"
		r.Spec.Interval = metav1.Duration{Duration: 5 * time.Second}
		r.Spec.Labels = map[string]string{"tenant": tenant}
		r.Spec.Receivers = []platformv1.AlertReceiver{{Name: "sre", Slack: &platformv1.SlackReceiver{URL: platformv1.SecretKeyReference{Name: "receiver", Key: "url"}}}}
		r.Spec.Grouping = &platformv1.AlertGrouping{}
		r.Spec.Annotations = map[string]string{"summary": name + " for {{ $labels.tenant }}"}
		if mutate != nil {
			mutate(r)
		}
		return r
	}
	create(t, rule("db-down", "x", func(r *platformv1.AlertRule) {
		r.Spec.Inhibits = &platformv1.AlertInhibition{Equal: []string{"tenant"}}
	}))
	waitRule(t, ns, "db-down", 30*time.Second, func(r *platformv1.AlertRule) bool { return r.Status.State == platformv1.AlertFiring })
	create(t, rule("slow-x", "x", nil), rule("slow-y", "y", nil))

	muted := waitRule(t, ns, "slow-x", 30*time.Second, func(r *platformv1.AlertRule) bool {
		return r.Status.State == platformv1.AlertFiring && len(r.Status.Instances) == 1
	})
	if m := muted.Status.Instances[0].Muted; !strings.Contains(m, "inhibited by alerts-inhibit/db-down") {
		t.Errorf("slow-x muted %q, want inhibited by db-down", m)
	}
	loud := waitRule(t, ns, "slow-y", 30*time.Second, func(r *platformv1.AlertRule) bool { return r.Status.LastNotification != nil })
	if loud.Status.Instances[0].Muted != "" || loud.Status.LastNotification.Result != platformv1.NotificationSent {
		t.Errorf("slow-y (another tenant): muted %q last %+v, want announced", loud.Status.Instances[0].Muted, loud.Status.LastNotification)
	}
	eventually(t, 10*time.Second, func() (bool, string) { return sink.has("slow-y for y") })
	eventually(t, 10*time.Second, func() (bool, string) { return sink.has("db-down for x") })
	if ok, _ := sink.has("slow-x for x"); ok {
		t.Error("the inhibited alert was announced")
	}
	if muted.Status.LastNotification != nil {
		t.Errorf("the inhibited alert records a notification: %+v", muted.Status.LastNotification)
	}
}
