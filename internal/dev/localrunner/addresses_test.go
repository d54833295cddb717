package localrunner

import (
	"net"
	"testing"
)

// A pod gets the address it had when that is free, else the lowest free
// one, skipping addresses where another program holds one of its ports.
func TestAddressesSkipThoseInUseElsewhere(t *testing.T) {
	var a addresses
	busy := map[string]bool{"127.0.0.2": true}
	usable := func(ip string) bool { return !busy[ip] }
	if ip, _ := a.take("a", "", usable); ip != "127.0.0.3" {
		t.Errorf("first pod got %s, want 127.0.0.3 (127.0.0.2 is busy elsewhere)", ip)
	}
	if ip, _ := a.take("b", "127.0.0.9", usable); ip != "127.0.0.9" {
		t.Errorf("adopted pod got %s, want its own 127.0.0.9", ip)
	}
	if ip, _ := a.take("c", "127.0.0.3", usable); ip != "127.0.0.4" {
		t.Errorf("pod wanting a taken address got %s, want 127.0.0.4", ip)
	}
	a.release("a")
	if ip, _ := a.take("d", "", usable); ip != "127.0.0.3" {
		t.Errorf("after a release got %s, want 127.0.0.3", ip)
	}
}

func TestPortsFree(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	held := int32(l.Addr().(*net.TCPAddr).Port)
	if portsFree("127.0.0.1", []int32{held}) {
		t.Errorf("port %d is held, but portsFree says free", held)
	}
	if !portsFree("127.0.0.1", nil) {
		t.Error("no ports: free")
	}
}
