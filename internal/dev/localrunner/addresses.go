package localrunner

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"sync"

	"k8s.io/apimachinery/pkg/types"
)

// addresses hands out loopback addresses 127.0.0.2 to 127.0.0.254, one
// per server pod; 127.0.0.1 stays for the local proxies and everything else.
type addresses struct {
	mu    sync.Mutex
	taken map[string]types.UID
}

// take gives uid an address: want (an address the pod already had, when a
// runner adopts it) if free, else the lowest free one. An address is free
// when no pod of this runner has it and usable(ip) holds: loopback is
// shared with every other program on the machine (another runner, a
// test), which may hold the pod's ports there.
func (a *addresses) take(uid types.UID, want string, usable func(ip string) bool) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.taken == nil {
		a.taken = map[string]types.UID{}
	}
	if ip, err := netip.ParseAddr(want); err == nil && ip.Is4() && ip.As4()[0] == 127 && want != "127.0.0.1" {
		if owner, ok := a.taken[want]; (!ok || owner == uid) && usable(want) {
			a.taken[want] = uid
			return want, nil
		}
	}
	for n := 2; n < 255; n++ {
		ip := fmt.Sprintf("127.0.0.%d", n)
		if _, ok := a.taken[ip]; !ok && usable(ip) {
			a.taken[ip] = uid
			return ip, nil
		}
	}
	return "", fmt.Errorf("no loopback address left for another local pod (127.0.0.2 to 127.0.0.254 in use)")
}

// portsFree reports whether every TCP port in ports can be listened on at ip.
func portsFree(ip string, ports []int32) bool {
	for _, port := range ports {
		l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(int(port))))
		if err != nil {
			return false
		}
		l.Close()
	}
	return true
}

func (a *addresses) release(uid types.UID) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for ip, owner := range a.taken {
		if owner == uid {
			delete(a.taken, ip)
		}
	}
}
