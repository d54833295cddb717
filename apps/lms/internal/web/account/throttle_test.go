package account

import "testing"

// Throttling counts an IPv6 client by its /64: anyone holding one could
// otherwise try from a new address each time.
func TestThrottleKeys(t *testing.T) {
	for addr, want := range map[string]string{
		"198.51.100.1":         "198.51.100.1",
		"2001:db8:1:2:aaaa::1": "2001:db8:1:2::/64",
		"2001:db8:1:2:bbbb::9": "2001:db8:1:2::/64",
		"::ffff:198.51.100.1":  "::ffff:198.51.100.1",
		"not an address":       "not an address",
	} {
		if got := throttleKey(addr); got != want {
			t.Errorf("throttleKey(%q) = %q, want %q", addr, got, want)
		}
	}
}
