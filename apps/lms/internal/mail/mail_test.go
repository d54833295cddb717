package mail

import (
	"context"
	"testing"
	"time"
)

// Two processes sharing a mailbox folder (two replicas of a local fleet)
// each see both's mail, per tenant, newest first, with nothing overwritten.
func TestMailboxFolderIsSharedByReplicas(t *testing.T) {
	dir := t.TempDir()
	a, b := &Mailbox{Dir: dir}, &Mailbox{Dir: dir}
	at := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
	send := func(box *Mailbox, tenant, to string, sec int) {
		t.Helper()
		m := Message{Tenant: tenant, To: to, Subject: "Reset", Body: "Open\nhttp://x/password/reset/abc", SentAt: at.Add(time.Duration(sec) * time.Second)}
		if err := box.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	send(a, "lincoln", "one@x", 0)
	send(b, "lincoln", "two@x", 0) // same second, other process: both kept
	send(b, "lincoln", "three@x", 1)
	send(a, "other", "elsewhere@x", 2)
	for _, box := range []*Mailbox{a, b} {
		got := box.Messages("lincoln")
		if len(got) != 3 || got[0].To != "three@x" || got[0].Body != "Open\nhttp://x/password/reset/abc" || !got[0].SentAt.Equal(at.Add(time.Second)) {
			t.Fatalf("messages %+v", got)
		}
	}
	if got := a.Messages("other"); len(got) != 1 || got[0].To != "elsewhere@x" {
		t.Errorf("other tenant %+v", got)
	}
}

// Header fields such as List-Unsubscribe survive the folder.
func TestMailboxFolderKeepsHeaders(t *testing.T) {
	box := &Mailbox{Dir: t.TempDir()}
	h := map[string]string{"List-Unsubscribe": "<https://x/unsubscribe/t>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
	if err := box.Send(context.Background(), Message{Tenant: "lincoln", To: "g@x", Subject: "Digest", Body: "Hello", Headers: h}); err != nil {
		t.Fatal(err)
	}
	got := box.Messages("lincoln")
	if len(got) != 1 || got[0].Body != "Hello" || got[0].Headers["List-Unsubscribe"] != h["List-Unsubscribe"] ||
		got[0].Headers["List-Unsubscribe-Post"] != h["List-Unsubscribe-Post"] {
		t.Fatalf("messages %+v", got)
	}
}
