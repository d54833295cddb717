package kit

import (
	"net/http"
	"net/netip"
	"testing"
)

// The client's address comes from X-Forwarded-For only through trusted
// proxies, read from the right; anything else is the connection's address.
func TestClientAddressThroughTrustedProxies(t *testing.T) {
	s := &Kit{Config: Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}}}
	for _, tc := range []struct {
		name, remote, forwarded, want string
	}{
		{"direct, header ignored", "203.0.113.7:5555", "198.51.100.1", "203.0.113.7"},
		{"through the ingress", "10.1.2.3:5555", "198.51.100.1", "198.51.100.1"},
		{"client forged a hop", "10.1.2.3:5555", "6.6.6.6, 198.51.100.1", "198.51.100.1"},
		{"two trusted hops", "10.1.2.3:5555", "198.51.100.1, 10.9.9.9", "198.51.100.1"},
		{"ingress with no header", "10.1.2.3:5555", "", "10.1.2.3"},
		{"garbage in the header", "10.1.2.3:5555", "not-an-ip", "10.1.2.3"},
		{"IPv6 ingress", "[fd00::1]:5555", "2001:db8::5", "2001:db8::5"},
		{"a hop with a port", "10.1.2.3:5555", "198.51.100.1:4711", "198.51.100.1"},
	} {
		r, _ := http.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.remote
		if tc.forwarded != "" {
			r.Header.Set("X-Forwarded-For", tc.forwarded)
		}
		if got := s.ClientIP(r); got != tc.want {
			t.Errorf("%s: client %s, want %s", tc.name, got, tc.want)
		}
	}
}
