// Package mail sends the LMS's e-mail (password resets, invitations)
// through the Mailer interface. Mailbox is the local implementation: it
// keeps messages in memory, and in a folder when given one, for the
// development mailbox page and for tests to read.
package mail

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
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
}

// SentAtPtr helps templates that format optional times.
func (m Message) SentAtPtr() *time.Time { return &m.SentAt }

// Mailer sends messages.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// Mailbox is a Mailer that keeps the newest messages.
type Mailbox struct {
	// Dir, when set, also receives each message as a text file.
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
	name := filepath.Join(b.Dir, fmt.Sprintf("%s-%06d.txt", m.SentAt.UTC().Format("20060102T150405"), seq))
	text := fmt.Sprintf("Tenant: %s\nTo: %s\nSubject: %s\nDate: %s\n\n%s\n", m.Tenant, m.To, m.Subject, m.SentAt.UTC().Format(time.RFC1123Z), m.Body)
	return os.WriteFile(name, []byte(text), 0o600)
}

// Messages returns a tenant's messages, newest first.
func (b *Mailbox) Messages(tenant string) []Message {
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

// Discard is a Mailer for districts without e-mail: it refuses, so the
// caller can tell the user to ask an admin instead.
type Discard struct{}

// ErrNoMail says the LMS cannot send e-mail.
var ErrNoMail = fmt.Errorf("this Bellwork installation does not send e-mail")

// Send refuses.
func (Discard) Send(context.Context, Message) error { return ErrNoMail }
