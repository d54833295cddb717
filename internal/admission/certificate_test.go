package admission

import (
	"net"
	"testing"
	"time"
)

// A generated pair serves the names and addresses it was made for, and a
// pair for other names, or close to expiry, is not usable.
func TestGeneratedPairServesItsNames(t *testing.T) {
	now := time.Now()
	names, ips := []string{"bellwork-webhook.ops.svc"}, []net.IP{net.ParseIP("127.0.0.1")}
	p, err := generate(names, ips, now, pair{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.usable(names, ips, now); err != nil {
		t.Fatalf("fresh pair not usable: %v", err)
	}
	if err := p.usable([]string{"bellwork-webhook.other.svc"}, nil, now); err == nil {
		t.Error("pair usable for a name it was not made for")
	}
	if err := p.usable(names, nil, now.Add(validity-10*24*time.Hour)); err == nil {
		t.Error("pair usable ten days before it expires")
	}
	other, _ := generate(names, ips, now, pair{})
	if err := (pair{CA: p.CA, Cert: p.Cert, Key: other.Key}).usable(names, ips, now); err == nil {
		t.Error("certificate usable with another key")
	}
	if err := (pair{CA: other.CA, Cert: p.Cert, Key: p.Key}).usable(names, ips, now); err == nil {
		t.Error("certificate usable under another CA")
	}
}

// A new serving certificate is signed by the CA already trusted, so the
// certificate other replicas still serve keeps working through the change.
func TestRenewalKeepsTheCA(t *testing.T) {
	now := time.Now()
	first, err := generate([]string{"a.ops.svc"}, nil, now, pair{})
	if err != nil {
		t.Fatal(err)
	}
	next, err := generate([]string{"b.ops.svc"}, nil, now.Add(time.Hour), first)
	if err != nil {
		t.Fatal(err)
	}
	if string(next.CA) != string(first.CA) || string(next.Cert) == string(first.Cert) {
		t.Fatal("renewal made a new CA, or no new certificate")
	}
	if err := (pair{CA: next.CA, Cert: first.Cert, Key: first.Key}).usable([]string{"a.ops.svc"}, nil, now); err != nil {
		t.Errorf("the old certificate is not trusted by the kept CA: %v", err)
	}
	if fresh, _ := generate([]string{"a.ops.svc"}, nil, now, pair{CA: first.CA}); string(fresh.CA) == string(first.CA) {
		t.Error("a CA without its key was reused")
	}
}
