package auth

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// A signed link verifies with its key and purpose until it expires; a
// changed character, another purpose, another tenant's key or no key at
// all is refused.
func TestSignedLinks(t *testing.T) {
	now := time.Date(2026, 11, 28, 7, 0, 0, 0, time.UTC)
	key := LinkKey([]byte("a secret from the directory"), "lincoln")
	tok := SignLink(key, LinkClaims{Subject: "guardian-1", Purpose: "unsubscribe", Expires: now.Add(time.Hour)})
	c, err := VerifyLink(key, tok, "unsubscribe", now)
	if err != nil || c.Subject != "guardian-1" || c.Purpose != "unsubscribe" {
		t.Fatalf("genuine link: %+v %v", c, err)
	}
	if _, err := VerifyLink(key, tok, "unsubscribe", now.Add(time.Hour)); !errors.Is(err, ErrLinkExpired) {
		t.Errorf("expired link: %v", err)
	}
	// Another subject with the same signature.
	forged := SignLink(key, LinkClaims{Subject: "guardian-2", Purpose: "unsubscribe", Expires: now.Add(time.Hour)})
	mixed := tok[:strings.LastIndex(tok, ".")] + forged[strings.LastIndex(forged, "."):]
	bad := map[string]string{
		"flipped":       tok[:len(tok)-2] + flip(tok[len(tok)-2]) + tok[len(tok)-1:],
		"mixed":         mixed,
		"empty":         "",
		"garbage":       "v1.x.y",
		"other version": "v2" + tok[2:],
	}
	for name, b := range bad {
		if _, err := VerifyLink(key, b, "unsubscribe", now); !errors.Is(err, ErrLinkInvalid) {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	if _, err := VerifyLink(key, tok, "reset", now); !errors.Is(err, ErrLinkInvalid) {
		t.Errorf("other purpose: %v", err)
	}
	if _, err := VerifyLink(LinkKey([]byte("a secret from the directory"), "other"), tok, "unsubscribe", now); !errors.Is(err, ErrLinkInvalid) {
		t.Errorf("other tenant's key: %v", err)
	}
	if _, err := VerifyLink(nil, tok, "unsubscribe", now); !errors.Is(err, ErrLinkInvalid) {
		t.Errorf("no key: %v", err)
	}
}

func flip(b byte) string {
	if b == 'A' {
		return "B"
	}
	return "A"
}
