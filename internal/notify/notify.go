// Package notify delivers messages to webhooks: rollout messages to a
// Slack-compatible incoming webhook (Slack itself, or Mattermost,
// Rocket.Chat and others that accept Slack's payload), and any JSON body,
// optionally signed (see Sign), for alert notifications. Every delivery
// retries what may pass on a second try, a bounded number of times.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Message is one rollout event.
type Message struct {
	// Event is a one-word kind: Started, Promoted, Aborted, RolledBack,
	// Completed, Failed.
	Event string
	// Object is the lmsdeploy, "namespace/name".
	Object   string
	Revision int64
	Text     string
	Time     time.Time
}

// Webhook posts messages.
type Webhook struct {
	// Client makes the requests; http.DefaultClient's transport with a
	// 10-second timeout when nil.
	Client *http.Client
	// Attempts is how many times a message is tried (3 when zero).
	Attempts int
	// Backoff is the wait before the second attempt, doubled each time
	// (500ms when zero) up to MaxBackoff (10s when zero); a 429's
	// Retry-After, up to 30s, wins.
	Backoff    time.Duration
	MaxBackoff time.Duration
}

// ErrPermanent wraps failures another attempt would not mend (a 4xx other
// than 429: a revoked or wrong URL, a refused payload).
var ErrPermanent = errors.New("the webhook refused the message")

// payload is the Slack incoming-webhook format: text for notifications
// and clients without blocks, blocks for a readable message.
type payload struct {
	Text   string  `json:"text"`
	Blocks []block `json:"blocks"`
}

type block struct {
	Type     string  `json:"type"`
	Text     *text   `json:"text,omitempty"`
	Elements []*text `json:"elements,omitempty"`
}

type text struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

var icons = map[string]string{"Started": ":rocket:", "Promoted": ":arrows_counterclockwise:", "Completed": ":white_check_mark:",
	"Aborted": ":octagonal_sign:", "RolledBack": ":rewind:", "Failed": ":x:"}

// Payload is the JSON body a message is sent as.
func Payload(m Message) ([]byte, error) {
	icon := icons[m.Event]
	if icon == "" {
		icon = ":information_source:"
	}
	head := fmt.Sprintf("%s *%s* lmsdeploy %s revision %d", icon, m.Event, m.Object, m.Revision)
	return json.Marshal(payload{
		Text: fmt.Sprintf("%s %s: %s", m.Object, m.Event, m.Text),
		Blocks: []block{
			{Type: "section", Text: &text{Type: "mrkdwn", Text: head + "\n" + m.Text}},
			{Type: "context", Elements: []*text{{Type: "mrkdwn", Text: m.Time.UTC().Format(time.RFC3339)}}},
		},
	})
}

// Send posts m to url, retrying network errors, 5xx and 429 answers.
func (w *Webhook) Send(ctx context.Context, url string, m Message) error {
	body, err := Payload(m)
	if err != nil {
		return err
	}
	return w.Post(ctx, url, body, nil)
}

// Post sends a JSON body to url with the extra headers given, retrying
// network errors, 5xx and 429 answers. Headers are computed again for each
// attempt (a signature's timestamp must be fresh).
func (w *Webhook) Post(ctx context.Context, url string, body []byte, headers func() http.Header) error {
	client := w.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	attempts, backoff := w.Attempts, w.Backoff
	if attempts <= 0 {
		attempts = 3
	}
	if backoff <= 0 {
		backoff = 500 * time.Millisecond
	}
	maxBackoff := w.MaxBackoff
	if maxBackoff <= 0 {
		maxBackoff = 10 * time.Second
	}
	var last error
	for i := range attempts {
		var h http.Header
		if headers != nil {
			h = headers()
		}
		wait, err := w.post(ctx, client, url, body, h)
		if err == nil {
			return nil
		}
		if errors.Is(err, ErrPermanent) || i == attempts-1 {
			return err
		}
		last = err
		if wait == 0 {
			wait = min(backoff<<i, maxBackoff)
		}
		select {
		case <-ctx.Done():
			return errors.Join(last, ctx.Err())
		case <-time.After(wait):
		}
	}
	return last
}

// post makes one attempt; wait is what a 429 asked for.
func (w *Webhook) post(ctx context.Context, client *http.Client, url string, body []byte, headers http.Header) (wait time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrPermanent, err)
	}
	for k, v := range headers {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("post to the webhook: %w", err)
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	switch {
	case res.StatusCode < 300:
		return 0, nil
	case res.StatusCode == http.StatusTooManyRequests:
		if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil && s > 0 {
			wait = min(time.Duration(s)*time.Second, 30*time.Second)
		}
		return wait, fmt.Errorf("the webhook is rate limiting (429)")
	case res.StatusCode >= 500:
		return 0, fmt.Errorf("the webhook answered %s", res.Status)
	default:
		return 0, fmt.Errorf("%w: %s %q", ErrPermanent, res.Status, bytes.TrimSpace(answer))
	}
}
