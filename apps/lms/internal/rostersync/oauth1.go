package rostersync

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// This file signs requests with OAuth 1.0a (RFC 5849), as OneRoster 1.1
// providers that predate OAuth 2.0 require: a consumer key and secret, no
// token, HMAC-SHA256 signatures over the method, URL and parameters.

// SignOAuth1 adds an OAuth 1.0a Authorization header to req, signed with
// the consumer key and secret.
func SignOAuth1(req *http.Request, key, secret string, now time.Time) {
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce)
	oauth := map[string]string{
		"oauth_consumer_key":     key,
		"oauth_nonce":            hex.EncodeToString(nonce),
		"oauth_signature_method": "HMAC-SHA256",
		"oauth_timestamp":        strconv.FormatInt(now.Unix(), 10),
		"oauth_version":          "1.0",
	}
	oauth["oauth_signature"] = OAuth1Signature(req.Method, req.URL, oauth, secret)
	names := make([]string, 0, len(oauth))
	for k := range oauth {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = percentEncode(k) + `="` + percentEncode(oauth[k]) + `"`
	}
	req.Header.Set("Authorization", "OAuth "+strings.Join(parts, ", "))
}

// OAuth1Signature is the HMAC-SHA256 signature of a request with these
// oauth_* parameters (oauth_signature itself left out), for signing and for
// a provider checking one.
func OAuth1Signature(method string, u *url.URL, oauth map[string]string, secret string) string {
	type pair struct{ k, v string }
	var params []pair
	for k, vs := range u.Query() {
		for _, v := range vs {
			params = append(params, pair{percentEncode(k), percentEncode(v)})
		}
	}
	for k, v := range oauth {
		if k != "oauth_signature" {
			params = append(params, pair{percentEncode(k), percentEncode(v)})
		}
	}
	sort.Slice(params, func(i, j int) bool {
		if params[i].k != params[j].k {
			return params[i].k < params[j].k
		}
		return params[i].v < params[j].v
	})
	normalized := make([]string, len(params))
	for i, p := range params {
		normalized[i] = p.k + "=" + p.v
	}
	base := *u
	base.RawQuery, base.Fragment = "", ""
	base.Scheme, base.Host = strings.ToLower(base.Scheme), strings.ToLower(base.Host)
	if (base.Scheme == "http" && base.Port() == "80") || (base.Scheme == "https" && base.Port() == "443") {
		base.Host = base.Hostname()
	}
	text := strings.ToUpper(method) + "&" + percentEncode(base.String()) + "&" + percentEncode(strings.Join(normalized, "&"))
	mac := hmac.New(sha256.New, []byte(percentEncode(secret)+"&"))
	mac.Write([]byte(text))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// percentEncode is RFC 3986 encoding: everything but A-Z a-z 0-9 - . _ ~.
func percentEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if ('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
	}
	return b.String()
}
