package kit

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
)

// checkServiceToken lets a Service route's caller through when it presents
// a token whose SHA-256 the district's entry lists; otherwise it answers
// 401 in the shape OpenFeature clients read ({"errorDetails": …}).
func (s *Kit) checkServiceToken(c *Call) bool {
	token := c.R.Header.Get("X-API-Key")
	if scheme, rest, ok := strings.Cut(c.R.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		token = strings.TrimSpace(rest)
	}
	if token != "" {
		sum := sha256.Sum256([]byte(token))
		got := hex.EncodeToString(sum[:])
		for _, want := range c.Tenant.Entry.FlagTokens {
			if subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1 {
				return true
			}
		}
	}
	c.W.Header().Set("WWW-Authenticate", `Bearer realm="bellwork"`)
	WriteJSON(c, http.StatusUnauthorized, map[string]string{
		"errorDetails": "This endpoint needs the district's flag token as a bearer token (Authorization: Bearer <token>).",
	})
	return false
}
