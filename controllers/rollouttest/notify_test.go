//go:build e2e

package rollouttest

import (
	"context"
	"encoding/json"
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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	platformv1 "bellwork.dev/bellwork/api/v1"
)

// receiver is a Slack-compatible incoming webhook on loopback: it records
// every payload it is sent and answers with the status the test sets.
type receiver struct {
	*httptest.Server
	status atomic.Int32
	mu     sync.Mutex
	texts  []string
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.status.Store(http.StatusOK)
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p struct {
			Text   string           `json:"text"`
			Blocks []map[string]any `json:"blocks"`
		}
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &p) != nil || p.Text == "" || len(p.Blocks) == 0 {
			t.Errorf("not a Slack incoming-webhook message: %s %s %q", r.Method, r.Header.Get("Content-Type"), body)
		}
		rc.mu.Lock()
		rc.texts = append(rc.texts, p.Text)
		rc.mu.Unlock()
		status := int(rc.status.Load())
		w.WriteHeader(status)
		if status == http.StatusOK {
			fmt.Fprint(w, "ok")
		} else {
			fmt.Fprint(w, "invalid_token")
		}
	}))
	t.Cleanup(rc.Close)
	return rc
}

// got is how many messages arrived whose text contains each part.
func (rc *receiver) got(parts ...string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	n := 0
	for _, text := range rc.texts {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(text, p)
		}
		if all {
			n++
		}
	}
	return n
}

func (rc *receiver) all() string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return strings.Join(rc.texts, "\n")
}

func webhookSecret(t *testing.T, name, url string) {
	t.Helper()
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: lmsNamespace}, StringData: map[string]string{"url": url}}
	if err := env.Client.Create(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Client.Delete(context.Background(), s) })
}

func withNotifications(secret string) func(*platformv1.DeploymentSpec) {
	return func(s *platformv1.DeploymentSpec) {
		s.Notifications = &platformv1.Notifications{WebhookURLSecret: platformv1.SecretKeyReference{Name: secret, Key: "url"}}
	}
}

// waitEvent waits for an Event about the lmsdeploy.
func (f *fleet) waitEvent(typ, reason, text string) {
	f.t.Helper()
	eventually(f.t, time.Minute, func() (bool, string) {
		var list corev1.EventList
		if err := env.Client.List(context.Background(), &list); err != nil {
			return false, err.Error()
		}
		var seen []string
		for _, e := range list.Items {
			if e.InvolvedObject.Kind == "Deployment" && e.InvolvedObject.Name == f.name && e.InvolvedObject.Namespace == lmsNamespace {
				if e.Type == typ && e.Reason == reason && strings.Contains(e.Message, text) {
					return true, ""
				}
				seen = append(seen, e.Type+" "+e.Reason+": "+e.Message)
			}
		}
		return false, fmt.Sprintf("no %s %s event with %q; events:\n%s", typ, reason, text, strings.Join(seen, "\n"))
	})
}

// A rollout's start, promotion and completion reach a Slack-compatible
// webhook whose URL is in a Secret, and each delivered message leaves
// status.pendingNotifications.
func TestNotificationsReachTheWebhook(t *testing.T) {
	rc := newReceiver(t)
	webhookSecret(t, "notify-webhook", rc.URL+"/services/T0/B0/x")
	f := newFleet(t, "notify", "registry.example/bellwork/fakelms:1", withNotifications("notify-webhook"))
	f.serving("registry.example/bellwork/fakelms:1")
	f.rollTo("registry.example/bellwork/fakelms:2", nil)
	f.serving("registry.example/bellwork/fakelms:2")
	d := f.waitFor("every message delivered", time.Minute, func(d *platformv1.Deployment) bool {
		return len(d.Status.PendingNotifications) == 0 && rc.got("Completed", "revision 2") > 0
	})
	obj := lmsNamespace + "/notify"
	for _, want := range [][]string{{obj, "Started", "revision 2"}, {obj, "Promoted", "Revision 2"}, {obj, "Completed", "revision 2"}} {
		if n := rc.got(want...); n < 1 {
			t.Errorf("no message with %q; got:\n%s", want, rc.all())
		}
	}
	if len(d.Status.PendingNotifications) != 0 {
		t.Errorf("pending after delivery: %+v", d.Status.PendingNotifications)
	}
}

// Without the webhook's Secret the messages wait in status and a Warning
// Event says why; once the Secret exists, a webhook that refuses the
// messages for good (4xx) gets each once, and each is dropped with an
// Event instead of being retried forever.
func TestNotificationsWithoutSecretOrRefused(t *testing.T) {
	rc := newReceiver(t)
	rc.status.Store(http.StatusForbidden)
	f := newFleet(t, "notifyfail", "registry.example/bellwork/fakelms:1", withNotifications("notifyfail-webhook"))
	d := f.serving("registry.example/bellwork/fakelms:1")
	f.waitEvent(corev1.EventTypeWarning, "NotificationFailed", "Secret notifyfail-webhook has no key url")
	if len(d.Status.PendingNotifications) == 0 {
		t.Fatalf("no message waits while the Secret is missing")
	}

	webhookSecret(t, "notifyfail-webhook", rc.URL+"/hooks/revoked")
	f.waitEvent(corev1.EventTypeWarning, "NotificationDropped", "403 Forbidden")
	d = f.waitFor("the refused messages dropped", time.Minute, func(d *platformv1.Deployment) bool {
		return len(d.Status.PendingNotifications) == 0
	})
	// Each refused message was tried once; none is retried on later passes.
	sent := rc.got("notifyfail")
	time.Sleep(3 * time.Second)
	if again := rc.got("notifyfail"); again != sent || sent != 3 {
		t.Errorf("the webhook got %d messages, then %d (want Started, Promoted and Completed once each):\n%s", sent, again, rc.all())
	}
	for _, ev := range []string{"Started", "Promoted", "Completed"} {
		if n := rc.got("notifyfail " + ev + ":"); n != 1 {
			t.Errorf("the %s message was sent %d times", ev, n)
		}
	}
}
