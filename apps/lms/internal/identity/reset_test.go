package identity_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"bellwork.dev/bellwork/apps/lms/internal/db"
	"bellwork.dev/bellwork/apps/lms/internal/identity"
)

func request(t *testing.T, d *db.DB, email, address string, now time.Time) (*identity.Reset, error) {
	t.Helper()
	var r *identity.Reset
	err := d.InTx(t.Context(), db.SystemActor(), func(s *db.Scope) (err error) {
		r, err = identity.RequestPasswordReset(t.Context(), s, email, address, now)
		return err
	})
	return r, err
}

// A reset link is stored for an active account and its mail carries the
// link; an unknown address gets nothing, and no error that would tell.
func TestRequestPasswordResetIssuesALinkForAnActiveAccount(t *testing.T) {
	d := tenant(t)
	addUser(t, d, "me@a.org")
	now := time.Now()
	r, err := request(t, d, "me@a.org", "203.0.113.7", now)
	if err != nil || r == nil {
		t.Fatalf("reset %+v, %v", r, err)
	}
	system(t, d, func(s *db.Scope) error {
		_, err := identity.PeekPasswordReset(t.Context(), s, r.Hash, now)
		return err
	})
	m := r.Mail("https://lms.example", "Example District", "example", now)
	if m.To != "me@a.org" || !strings.Contains(m.Body, "https://lms.example/password/reset/"+r.Token) || !strings.Contains(m.Body, "Example District") {
		t.Errorf("mail %+v", m)
	}
	if r, err := request(t, d, "nobody@a.org", "203.0.113.7", now); r != nil || err != nil {
		t.Errorf("unknown address: %+v, %v", r, err)
	}
}

// One account gets a few links an hour, the rest quietly not sent; one
// network address is refused, with when it may try again, once it asked
// too often.
func TestRequestPasswordResetIsThrottled(t *testing.T) {
	d := tenant(t)
	addUser(t, d, "me@a.org")
	now := time.Now()
	sent := 0
	for range identity.ResetsPerAccount + 2 {
		r, err := request(t, d, "me@a.org", "203.0.113.7", now)
		if err != nil {
			t.Fatal(err)
		}
		if r != nil {
			sent++
		}
	}
	if sent != identity.ResetsPerAccount {
		t.Errorf("%d links sent, want %d", sent, identity.ResetsPerAccount)
	}
	var locked *identity.Locked
	for i := range identity.ResetsPerAddress {
		_, err := request(t, d, "other@a.org", "203.0.113.7", now)
		if errors.As(err, &locked) {
			if i == 0 {
				t.Fatalf("locked before the limit")
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if locked == nil || !locked.Until.After(now) {
		t.Fatalf("the address was not locked: %+v", locked)
	}
	if _, err := request(t, d, "me@a.org", "198.51.100.1", now); err != nil {
		t.Errorf("another address is refused too: %v", err)
	}
}
