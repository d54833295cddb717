package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Headers of a signed request.
const (
	TimestampHeader = "X-Bellwork-Timestamp"
	SignatureHeader = "X-Bellwork-Signature"
)

// Sign is the signature of body sent at ts: "sha256=" and the hex
// HMAC-SHA256 of "<unix seconds>.<body>" under key. The timestamp is inside
// the signature so a receiver can refuse a replayed request.
func Sign(key []byte, ts time.Time, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(strconv.FormatInt(ts.Unix(), 10)))
	mac.Write([]byte("."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// SignedHeaders returns the headers of a request signed with key at the
// time now returns, for Post.
func SignedHeaders(key []byte, body []byte, now func() time.Time) func() http.Header {
	return func() http.Header {
		ts := now()
		h := http.Header{}
		h.Set(TimestampHeader, strconv.FormatInt(ts.Unix(), 10))
		h.Set(SignatureHeader, Sign(key, ts, body))
		return h
	}
}

// ErrBadSignature is a request whose signature does not verify.
var ErrBadSignature = errors.New("the signature does not match")

// Verify checks a signed request's headers against its body, refusing one
// signed more than maxSkew away from now. Receivers (and tests) use it.
func Verify(key []byte, h http.Header, body []byte, now time.Time, maxSkew time.Duration) error {
	secs, err := strconv.ParseInt(h.Get(TimestampHeader), 10, 64)
	if err != nil {
		return errors.New("missing or malformed " + TimestampHeader)
	}
	ts := time.Unix(secs, 0)
	if d := now.Sub(ts); d > maxSkew || d < -maxSkew {
		return errors.New("the request was signed too long ago")
	}
	got := h.Get(SignatureHeader)
	if !strings.HasPrefix(got, "sha256=") || !hmac.Equal([]byte(got), []byte(Sign(key, ts, body))) {
		return ErrBadSignature
	}
	return nil
}
