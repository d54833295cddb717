package notify

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// receiver is a Slack-compatible incoming webhook on loopback whose first
// answers the test scripts.
type receiver struct {
	mu      sync.Mutex
	answers []int
	header  http.Header
	got     []map[string]any
	tries   int
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tries++
	if req.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	if len(r.answers) > 0 {
		code := r.answers[0]
		r.answers = r.answers[1:]
		for k, v := range r.header {
			w.Header()[k] = v
		}
		http.Error(w, "try later", code)
		return
	}
	body, _ := io.ReadAll(req.Body)
	var p map[string]any
	if err := json.Unmarshal(body, &p); err != nil {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	r.got = append(r.got, p)
	_, _ = io.WriteString(w, "ok")
}

var msg = Message{Event: "RolledBack", Object: "bellwork-system/lms", Revision: 7, Text: "post-promotion check errors failed: 5xx ratio 0.2 > 0.01",
	Time: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)}

func TestPayloadIsSlackCompatible(t *testing.T) {
	r := &receiver{}
	srv := httptest.NewServer(r)
	defer srv.Close()
	if err := (&Webhook{}).Send(t.Context(), srv.URL, msg); err != nil {
		t.Fatal(err)
	}
	p := r.got[0]
	text, _ := p["text"].(string)
	if !strings.Contains(text, "bellwork-system/lms RolledBack: post-promotion check errors failed") {
		t.Errorf("text %q", text)
	}
	blocks, _ := p["blocks"].([]any)
	first, _ := blocks[0].(map[string]any)
	inner, _ := first["text"].(map[string]any)
	if first["type"] != "section" || inner["type"] != "mrkdwn" || !strings.Contains(inner["text"].(string), ":rewind: *RolledBack* lmsdeploy bellwork-system/lms revision 7") {
		t.Errorf("blocks %v", blocks)
	}
}

func TestServerErrorsAndRateLimitsAreRetried(t *testing.T) {
	r := &receiver{answers: []int{503, 429}, header: http.Header{"Retry-After": {"1"}}}
	srv := httptest.NewServer(r)
	defer srv.Close()
	start := time.Now()
	if err := (&Webhook{Backoff: 10 * time.Millisecond}).Send(t.Context(), srv.URL, msg); err != nil {
		t.Fatal(err)
	}
	if r.tries != 3 || len(r.got) != 1 {
		t.Errorf("%d tries, %d delivered", r.tries, len(r.got))
	}
	if time.Since(start) < time.Second {
		t.Errorf("the 429's Retry-After of 1s was not honoured")
	}
}

func TestGivesUpAfterTheAttempts(t *testing.T) {
	r := &receiver{answers: []int{500, 500, 500, 500}}
	srv := httptest.NewServer(r)
	defer srv.Close()
	err := (&Webhook{Attempts: 3, Backoff: time.Millisecond}).Send(t.Context(), srv.URL, msg)
	if err == nil || !strings.Contains(err.Error(), "500") || r.tries != 3 {
		t.Errorf("err %v after %d tries", err, r.tries)
	}
}

func TestRefusalsAreNotRetried(t *testing.T) {
	r := &receiver{answers: []int{404}}
	srv := httptest.NewServer(r)
	defer srv.Close()
	err := (&Webhook{Backoff: time.Millisecond}).Send(t.Context(), srv.URL, msg)
	if !errors.Is(err, ErrPermanent) || r.tries != 1 {
		t.Errorf("err %v after %d tries", err, r.tries)
	}
}

func TestUnreachableWebhookIsRetriedThenReported(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	err := (&Webhook{Attempts: 2, Backoff: time.Millisecond}).Send(t.Context(), url, msg)
	if err == nil || errors.Is(err, ErrPermanent) {
		t.Errorf("err %v", err)
	}
}
