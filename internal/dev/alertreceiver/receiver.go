// Package alertreceiver is the local receiver `make run` starts for the
// sample AlertRules: it takes Slack-compatible messages on /slack and
// signed webhook messages on /webhook, checks the signatures with the
// sample Secret's key, and prints one line per message, so a developer
// sees alerts arrive without a Slack workspace.
package alertreceiver

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"bellwork.dev/bellwork/internal/notify"
)

// Receiver prints what reaches it to Out.
type Receiver struct {
	Out io.Writer
	// SigningKey checks /webhook requests; unsigned or wrongly signed ones
	// are refused with 401.
	SigningKey []byte

	mu       sync.Mutex
	messages []string
}

// Messages are the lines printed so far.
func (r *Receiver) Messages() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.messages...)
}

func (r *Receiver) print(line string) {
	r.mu.Lock()
	r.messages = append(r.messages, line)
	r.mu.Unlock()
	fmt.Fprintln(r.Out, line)
}

// ServeHTTP handles POST /slack and POST /webhook.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
	switch req.URL.Path {
	case "/slack":
		var p struct {
			Text    string `json:"text"`
			Channel string `json:"channel"`
		}
		if json.Unmarshal(body, &p) != nil || p.Text == "" {
			http.Error(w, "invalid_payload", http.StatusBadRequest)
			return
		}
		if p.Channel != "" {
			p.Text = p.Channel + " " + p.Text
		}
		r.print("[alert receiver] slack " + p.Text)
	case "/webhook":
		if err := notify.Verify(r.SigningKey, req.Header, body, time.Now(), 5*time.Minute); err != nil {
			r.print("[alert receiver] webhook refused: " + err.Error())
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var m struct {
			Rule   string            `json:"rule"`
			Kind   string            `json:"kind"`
			Group  string            `json:"group"`
			Alerts []json.RawMessage `json:"alerts"`
		}
		if json.Unmarshal(body, &m) != nil {
			http.Error(w, "invalid JSON", http.StatusBadRequest)
			return
		}
		r.print(fmt.Sprintf("[alert receiver] webhook (signature ok) %s %s %s: %d alert(s)", strings.ToUpper(m.Kind), m.Rule, m.Group, len(m.Alerts)))
	default:
		http.NotFound(w, req)
	}
}
