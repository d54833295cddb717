// Package mail sends the LMS's e-mail (password resets, invitations)
// through the Mailer interface. Mailbox is the local implementation: it
// keeps messages in memory, or in a folder when given one, for the
// development mailbox page and for tests to read. With a folder, every
// replica of a local fleet shares one mailbox: a reset mailed by one
// replica shows on the page whichever replica the proxy picks.
package mail

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Message is one e-mail.
type Message struct {
	Tenant  string
	To      string
	Subject string
	Body    string
	SentAt  time.Time
	// Headers are further header fields (List-Unsubscribe, say), by name.
	Headers map[string]string
}

// SentAtPtr helps templates that format optional times.
func (m Message) SentAtPtr() *time.Time { return &m.SentAt }

// Mailer sends messages.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// Mailbox is a Mailer that keeps the newest messages.
type Mailbox struct {
	// Dir, when set, receives each message as a text file, and Messages
	// reads them back from there (shared by every process using it).
	Dir string
	// Keep is how many messages stay in memory.
	Keep int

	mu   sync.Mutex
	msgs []Message
	seq  int
}

// Send stores the message.
func (b *Mailbox) Send(_ context.Context, m Message) error {
	if m.SentAt.IsZero() {
		m.SentAt = time.Now()
	}
	b.mu.Lock()
	b.seq++
	seq := b.seq
	b.msgs = append(b.msgs, m)
	keep := b.Keep
	if keep <= 0 {
		keep = 200
	}
	if len(b.msgs) > keep {
		b.msgs = b.msgs[len(b.msgs)-keep:]
	}
	b.mu.Unlock()
	if b.Dir == "" {
		return nil
	}
	if err := os.MkdirAll(b.Dir, 0o700); err != nil {
		return fmt.Errorf("mailbox folder: %w", err)
	}
	// The name sorts by time; the random part keeps replicas sharing the
	// folder from overwriting each other's mail.
	f, err := os.CreateTemp(b.Dir, fmt.Sprintf("%s-%06d-*.txt", m.SentAt.UTC().Format("20060102T150405.000000000"), seq))
	if err != nil {
		return fmt.Errorf("mailbox file: %w", err)
	}
	var extra strings.Builder
	for _, k := range slices.Sorted(maps.Keys(m.Headers)) {
		fmt.Fprintf(&extra, "%s: %s\n", k, strings.ReplaceAll(m.Headers[k], "\n", " "))
	}
	text := fmt.Sprintf("Tenant: %s\nTo: %s\nSubject: %s\nDate: %s\n%s\n%s\n", m.Tenant, m.To, m.Subject, m.SentAt.UTC().Format(time.RFC3339Nano), extra.String(), m.Body)
	_, err = f.WriteString(text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Messages returns a tenant's messages, newest first: from the folder
// when there is one (the newest Keep), else from memory.
func (b *Mailbox) Messages(tenant string) []Message {
	if b.Dir != "" {
		return b.fromDir(tenant)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []Message
	for i := len(b.msgs) - 1; i >= 0; i-- {
		if b.msgs[i].Tenant == tenant {
			out = append(out, b.msgs[i])
		}
	}
	return out
}

func (b *Mailbox) fromDir(tenant string) []Message {
	names, _ := filepath.Glob(filepath.Join(b.Dir, "*.txt"))
	slices.Sort(names)
	slices.Reverse(names)
	keep := b.Keep
	if keep <= 0 {
		keep = 200
	}
	var out []Message
	for _, name := range names {
		if len(out) == keep {
			break
		}
		data, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		if m, ok := parseMessage(string(data)); ok && m.Tenant == tenant {
			out = append(out, m)
		}
	}
	return out
}

// parseMessage reads back a file Send wrote: headers, a blank line, the body.
func parseMessage(text string) (Message, bool) {
	head, body, ok := strings.Cut(text, "\n\n")
	if !ok {
		return Message{}, false
	}
	var m Message
	for line := range strings.SplitSeq(head, "\n") {
		k, v, _ := strings.Cut(line, ": ")
		switch k {
		case "Tenant":
			m.Tenant = v
		case "To":
			m.To = v
		case "Subject":
			m.Subject = v
		case "Date":
			m.SentAt, _ = time.Parse(time.RFC3339Nano, v)
		default:
			if k != "" {
				if m.Headers == nil {
					m.Headers = map[string]string{}
				}
				m.Headers[k] = v
			}
		}
	}
	m.Body = strings.TrimSuffix(body, "\n")
	return m, m.Tenant != ""
}

// Discard is a Mailer for districts without e-mail: it refuses, so the
// caller can tell the user to ask an admin instead.
type Discard struct{}

// ErrNoMail says the LMS cannot send e-mail.
var ErrNoMail = fmt.Errorf("this Bellwork installation does not send e-mail")

// Send refuses.
func (Discard) Send(context.Context, Message) error { return ErrNoMail }
