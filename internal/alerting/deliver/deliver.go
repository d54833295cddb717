// Package deliver sends alert messages to receivers: Slack-compatible
// incoming webhooks, and generic JSON webhooks signed with HMAC-SHA256. It
// sends through internal/notify, which lmsdeploy's rollout messages use
// too, so both retry and back off the same way.
package deliver

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"bellwork.dev/bellwork/internal/alerting"
	"bellwork.dev/bellwork/internal/notify"
)

// Receiver is a spec receiver with its Secret's values read.
type Receiver struct {
	Name string
	// Slack is true for a Slack-compatible webhook, false for a signed
	// generic webhook.
	Slack      bool
	URL        string
	Channel    string
	SigningKey []byte
}

// Sender delivers messages.
type Sender struct {
	Webhook *notify.Webhook
	// Now stamps signatures; time.Now when nil.
	Now func() time.Time
}

// Send delivers m to r, retrying as notify.Webhook does.
func (s *Sender) Send(ctx context.Context, r Receiver, m alerting.Message) error {
	w := s.Webhook
	if w == nil {
		w = &notify.Webhook{}
	}
	if r.Slack {
		body, err := SlackPayload(m, r.Channel)
		if err != nil {
			return err
		}
		return w.Post(ctx, r.URL, body, nil)
	}
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	now := s.Now
	if now == nil {
		now = time.Now
	}
	return w.Post(ctx, r.URL, body, notify.SignedHeaders(r.SigningKey, body, now))
}

type slackPayload struct {
	Channel string       `json:"channel,omitempty"`
	Text    string       `json:"text"`
	Blocks  []slackBlock `json:"blocks"`
}

type slackBlock struct {
	Type     string       `json:"type"`
	Text     *slackText   `json:"text,omitempty"`
	Elements []*slackText `json:"elements,omitempty"`
}

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// maxSlackAlerts bounds the instances listed in one message (Slack refuses
// very long sections); the rest are counted.
const maxSlackAlerts = 10

// SlackPayload is m as a Slack incoming-webhook message: a one-line text
// for notifications, and a section per instance with its summary, value
// and runbook.
func SlackPayload(m alerting.Message, channel string) ([]byte, error) {
	icon, word := ":rotating_light:", "FIRING"
	switch m.Kind {
	case alerting.KindResolved:
		icon, word = ":white_check_mark:", "RESOLVED"
	case alerting.KindRepeat:
		word = "STILL FIRING"
	}
	head := fmt.Sprintf("%s *%s* %s", icon, word, m.Rule)
	if m.Group != "" {
		head += " (" + m.Group + ")"
	}
	if m.Severity != "" {
		head += " · " + m.Severity
	}
	p := slackPayload{Channel: channel, Text: fmt.Sprintf("[%s] %s: %d alert(s)", word, m.Rule, len(m.Alerts)),
		Blocks: []slackBlock{{Type: "section", Text: &slackText{Type: "mrkdwn", Text: head}}}}
	for i, a := range m.Alerts {
		if i == maxSlackAlerts {
			p.Blocks = append(p.Blocks, slackBlock{Type: "context", Elements: []*slackText{{Type: "mrkdwn", Text: fmt.Sprintf("and %d more", len(m.Alerts)-i)}}})
			break
		}
		p.Blocks = append(p.Blocks, slackBlock{Type: "section", Text: &slackText{Type: "mrkdwn", Text: alertText(a)}})
	}
	p.Blocks = append(p.Blocks, slackBlock{Type: "context", Elements: []*slackText{{Type: "mrkdwn", Text: m.Time.UTC().Format(time.RFC3339)}}})
	return json.Marshal(p)
}

func alertText(a alerting.Alert) string {
	var b strings.Builder
	summary := a.Annotations["summary"]
	if summary == "" {
		summary = a.Labels["alertname"]
	}
	fmt.Fprintf(&b, "*%s*\n", summary)
	if d := a.Annotations["description"]; d != "" {
		b.WriteString(d + "\n")
	}
	var ls []string
	for k, v := range a.Labels {
		if k != "alertname" {
			ls = append(ls, k+"="+v)
		}
	}
	sort.Strings(ls)
	fmt.Fprintf(&b, "value %s · since %s · %s", a.Value, a.ActiveSince.Format(time.RFC3339), strings.Join(ls, ", "))
	if r := a.Annotations["runbook_url"]; r != "" {
		fmt.Fprintf(&b, "\n<%s|runbook>", r)
	}
	return b.String()
}
