package alertreceiver

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"bellwork.dev/bellwork/internal/notify"
)

func TestReceiverPrintsMessagesAndChecksSignatures(t *testing.T) {
	var out bytes.Buffer
	r := &Receiver{Out: &out, SigningKey: []byte("k")}
	srv := httptest.NewServer(r)
	defer srv.Close()
	w := &notify.Webhook{Attempts: 1}
	if err := w.Post(t.Context(), srv.URL+"/slack", []byte(`{"text":"[FIRING] a/b: 1 alert(s)"}`), nil); err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"rule":"a/b","kind":"resolved","alerts":[{}]}`)
	if err := w.Post(t.Context(), srv.URL+"/webhook", body, notify.SignedHeaders([]byte("k"), body, time.Now)); err != nil {
		t.Fatal(err)
	}
	if err := w.Post(t.Context(), srv.URL+"/webhook", body, notify.SignedHeaders([]byte("wrong"), body, time.Now)); err == nil {
		t.Fatal("a wrongly signed message was accepted")
	}
	got := out.String()
	for _, want := range []string{"slack [FIRING] a/b", "webhook (signature ok) RESOLVED a/b", "webhook refused"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	res, _ := http.Get(srv.URL + "/slack")
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET answered %d", res.StatusCode)
	}
}
