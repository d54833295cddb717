package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// A signed link token carries a subject (a user id), a purpose and an
// expiry, with an HMAC-SHA256 over them, so a link in an e-mail can act
// without sign-in and without anything stored: "v1.<payload>.<mac>", both
// parts unpadded base64url. The key never leaves the process.

// Errors of VerifyLink. Both mean the link must not act.
var (
	ErrLinkInvalid = errors.New("the link is not valid")
	ErrLinkExpired = errors.New("the link has expired")
)

// LinkClaims are what a signed link says.
type LinkClaims struct {
	Subject string
	Purpose string
	Expires time.Time
}

// SignLink makes a token for claims with key.
func SignLink(key []byte, c LinkClaims) string {
	payload := base64.RawURLEncoding.EncodeToString([]byte(c.Purpose + "\n" + c.Subject + "\n" + strconv.FormatInt(c.Expires.Unix(), 10)))
	return "v1." + payload + "." + base64.RawURLEncoding.EncodeToString(linkMAC(key, payload))
}

// VerifyLink checks a token's signature, that it is for purpose, and that
// it has not expired at now. A bad signature or a wrong purpose is
// ErrLinkInvalid; a genuine token past its expiry ErrLinkExpired.
func VerifyLink(key []byte, token, purpose string, now time.Time) (LinkClaims, error) {
	var c LinkClaims
	version, rest, ok := strings.Cut(token, ".")
	payload, mac, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 || version != "v1" || len(key) == 0 {
		return c, ErrLinkInvalid
	}
	got, err := base64.RawURLEncoding.DecodeString(mac)
	if err != nil || !hmac.Equal(got, linkMAC(key, payload)) {
		return c, ErrLinkInvalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return c, ErrLinkInvalid
	}
	parts := strings.Split(string(raw), "\n")
	if len(parts) != 3 {
		return c, ErrLinkInvalid
	}
	exp, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || parts[0] != purpose || parts[1] == "" {
		return c, ErrLinkInvalid
	}
	c = LinkClaims{Purpose: parts[0], Subject: parts[1], Expires: time.Unix(exp, 0)}
	if !now.Before(c.Expires) {
		return c, ErrLinkExpired
	}
	return c, nil
}

// LinkKey derives the key for one tenant's links from a secret, so a
// link made for one district never verifies at another.
func LinkKey(secret []byte, tenant string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("bellwork signed links v1\x00" + tenant))
	return m.Sum(nil)
}

func linkMAC(key []byte, payload string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(payload))
	return m.Sum(nil)
}
