package deliver

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/alerting"
	"bellwork.dev/bellwork/internal/notify"
)

// receiver is a webhook on 127.0.0.1 that records what reaches it and
// answers with the scripted codes first.
type receiver struct {
	mu      sync.Mutex
	script  []int
	tries   int
	bodies  [][]byte
	headers []http.Header
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tries++
	if len(r.script) > 0 {
		code := r.script[0]
		r.script = r.script[1:]
		if code >= 300 {
			http.Error(w, "not now", code)
			return
		}
	}
	r.bodies = append(r.bodies, body)
	r.headers = append(r.headers, req.Header.Clone())
}

func (r *receiver) texts() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, b := range r.bodies {
		var p struct{ Text string }
		_ = json.Unmarshal(b, &p)
		out = append(out, p.Text+" "+string(b))
	}
	return out
}

func serve(t *testing.T, r *receiver) string {
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("receiver at %s, want loopback", srv.URL)
	}
	return srv.URL
}

var t0 = time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)

// evaluate runs the engine, plans and delivers through a Sender, as the
// controller does, at now.
func evaluate(t *testing.T, rule *platformv1.AlertRule, st *platformv1.AlertRuleStatus, s *Sender, rs []Receiver, now time.Time, samples ...alerting.Sample) {
	t.Helper()
	*st, _ = alerting.Step(rule, *st, alerting.Input{Now: now, Evaluation: alerting.Evaluation{Samples: samples}, Heartbeat: time.Hour})
	groups, msgs := alerting.Plan(context.Background(), rule, *st, now)
	for _, m := range msgs {
		errs := map[string]error{}
		for _, r := range rs {
			errs[r.Name] = s.Send(context.Background(), r, m)
		}
		var rec platformv1.NotificationRecord
		groups, rec = alerting.Delivered(groups, m, errs, now)
		st.LastNotification = &rec
	}
	st.Groups = groups
}

func tenant(name string) alerting.Sample {
	return alerting.Sample{Labels: alerting.Labels{"tenant": name}, Value: 1}
}

func TestSlackMessagesAreGroupedRepeatedAndResolved(t *testing.T) {
	rec := &receiver{}
	url := serve(t, rec)
	rule := &platformv1.AlertRule{ObjectMeta: metav1.ObjectMeta{Namespace: "ops", Name: "database-down"}}
	rule.Spec.Severity = "critical"
	rule.Spec.Annotations = map[string]string{"summary": "the database of {{ $labels.tenant }} is down"}
	rule.Spec.Grouping = &platformv1.AlertGrouping{GroupBy: []string{"tenant"}}
	rule.Spec.Grouping.RepeatInterval.Duration = time.Hour
	rule.Spec.Receivers = []platformv1.AlertReceiver{{Name: "sre"}}
	rs := []Receiver{{Name: "sre", Slack: true, URL: url + "/slack", Channel: "#sre"}}
	s := &Sender{Webhook: &notify.Webhook{Backoff: time.Millisecond}}
	var st platformv1.AlertRuleStatus

	evaluate(t, rule, &st, s, rs, t0, tenant("a"), tenant("b"), alerting.Sample{Labels: alerting.Labels{"tenant": "a", "instance": "2"}, Value: 1})
	evaluate(t, rule, &st, s, rs, t0.Add(time.Minute), tenant("a"), tenant("b"), alerting.Sample{Labels: alerting.Labels{"tenant": "a", "instance": "2"}, Value: 1})
	got := rec.texts()
	if len(got) != 2 || !strings.Contains(got[0], "[FIRING] ops/database-down: 2 alert(s)") || !strings.Contains(got[1], "[FIRING] ops/database-down: 1 alert(s)") {
		t.Fatalf("after group wait the receiver got %d messages:\n%s\nwant one per tenant (a with two instances)", len(got), strings.Join(got, "\n"))
	}
	if !strings.Contains(got[0], "the database of a is down") || !strings.Contains(got[0], `"channel":"#sre"`) {
		t.Errorf("message lacks the expanded summary or the channel: %s", got[0])
	}

	evaluate(t, rule, &st, s, rs, t0.Add(30*time.Minute), tenant("a"), tenant("b"))
	if got := rec.texts(); len(got) != 3 || !strings.Contains(got[2], "tenant=a") {
		t.Fatalf("a's group changed (one instance resolved): want a new firing message for it, got %d", len(got))
	}
	evaluate(t, rule, &st, s, rs, t0.Add(90*time.Minute), tenant("a"), tenant("b"))
	got = rec.texts()
	if len(got) != 5 || !strings.Contains(got[3], "STILL FIRING") || !strings.Contains(got[4], "STILL FIRING") {
		t.Fatalf("after the repeat interval want a repeat per group, got %d:\n%s", len(got), strings.Join(got[3:], "\n"))
	}
	evaluate(t, rule, &st, s, rs, t0.Add(91*time.Minute), tenant("b"))
	got = rec.texts()
	if len(got) != 6 || !strings.Contains(got[5], "[RESOLVED]") || !strings.Contains(got[5], "tenant=a") {
		t.Fatalf("want a resolved message for a, got:\n%s", strings.Join(got[5:], "\n"))
	}
	if st.LastNotification == nil || st.LastNotification.Kind != alerting.KindResolved || st.LastNotification.Result != platformv1.NotificationSent {
		t.Errorf("last notification %+v, want the resolved one, sent", st.LastNotification)
	}
}

func TestDeliveryRetriesWithBoundedBackoff(t *testing.T) {
	m := alerting.Message{Rule: "ops/r", Kind: alerting.KindFiring, Time: t0}
	flaky := &receiver{script: []int{503, 502, 200}}
	s := &Sender{Webhook: &notify.Webhook{Attempts: 4, Backoff: time.Millisecond}}
	if err := s.Send(context.Background(), Receiver{Name: "sre", Slack: true, URL: serve(t, flaky)}, m); err != nil {
		t.Fatalf("send: %v", err)
	}
	if flaky.tries != 3 || len(flaky.bodies) != 1 {
		t.Fatalf("tries %d delivered %d, want 3 tries and one delivery", flaky.tries, len(flaky.bodies))
	}

	down := &receiver{script: []int{500, 500, 500, 500, 500}}
	err := s.Send(context.Background(), Receiver{Name: "sre", Slack: true, URL: serve(t, down)}, m)
	if err == nil || down.tries != 4 {
		t.Fatalf("err %v after %d tries, want an error after exactly 4", err, down.tries)
	}

	refused := &receiver{script: []int{404}}
	err = s.Send(context.Background(), Receiver{Name: "sre", Slack: true, URL: serve(t, refused)}, m)
	if !errors.Is(err, notify.ErrPermanent) || refused.tries != 1 {
		t.Fatalf("err %v after %d tries, want a permanent error at once", err, refused.tries)
	}
}

func TestWebhookIsSignedWithHMAC(t *testing.T) {
	rec := &receiver{}
	key := []byte("shared-secret")
	now := func() time.Time { return t0 }
	s := &Sender{Webhook: &notify.Webhook{}, Now: now}
	m := alerting.Message{Rule: "ops/r", Kind: alerting.KindFiring, Time: t0,
		Alerts: []alerting.Alert{{Labels: alerting.Labels{"tenant": "a"}, State: "Firing", Value: "1"}}}
	if err := s.Send(context.Background(), Receiver{Name: "hook", URL: serve(t, rec), SigningKey: key}, m); err != nil {
		t.Fatalf("send: %v", err)
	}
	body, h := rec.bodies[0], rec.headers[0]
	if err := notify.Verify(key, h, body, t0.Add(time.Minute), 5*time.Minute); err != nil {
		t.Fatalf("a genuine request does not verify: %v", err)
	}
	var got alerting.Message
	if err := json.Unmarshal(body, &got); err != nil || got.Rule != "ops/r" || got.Alerts[0].Labels["tenant"] != "a" {
		t.Fatalf("body %s (%v), want the message as JSON", body, err)
	}
	if err := notify.Verify([]byte("other"), h, body, t0, 5*time.Minute); !errors.Is(err, notify.ErrBadSignature) {
		t.Errorf("wrong key: %v, want ErrBadSignature", err)
	}
	tampered := []byte(strings.Replace(string(body), `"tenant":"a"`, `"tenant":"b"`, 1))
	if err := notify.Verify(key, h, tampered, t0, 5*time.Minute); !errors.Is(err, notify.ErrBadSignature) {
		t.Errorf("tampered body: %v, want ErrBadSignature", err)
	}
	if err := notify.Verify(key, h, body, t0.Add(time.Hour), 5*time.Minute); err == nil {
		t.Errorf("a request replayed an hour later verified")
	}
}
