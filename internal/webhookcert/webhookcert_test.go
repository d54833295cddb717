package webhookcert

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
	p, err := Generate(names, ips, now, Pair{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Usable(names, ips, now); err != nil {
		t.Fatalf("fresh pair not usable: %v", err)
	}
	if err := p.Usable([]string{"bellwork-webhook.other.svc"}, nil, now); err == nil {
		t.Error("pair usable for a name it was not made for")
	}
	if err := p.Usable(names, nil, now.Add(Validity-10*24*time.Hour)); err == nil {
		t.Error("pair usable ten days before it expires")
	}
	other, _ := Generate(names, ips, now, Pair{})
	if err := (Pair{CA: p.CA, Cert: p.Cert, Key: other.Key}).Usable(names, ips, now); err == nil {
		t.Error("certificate usable with another key")
	}
	if err := (Pair{CA: other.CA, Cert: p.Cert, Key: p.Key}).Usable(names, ips, now); err == nil {
		t.Error("certificate usable under another CA")
	}
}

// A new serving certificate is signed by the CA already trusted, so the
// certificate other replicas still serve keeps working through the change.
func TestRenewalKeepsTheCA(t *testing.T) {
	now := time.Now()
	first, err := Generate([]string{"a.ops.svc"}, nil, now, Pair{})
	if err != nil {
		t.Fatal(err)
	}
	next, err := Generate([]string{"b.ops.svc"}, nil, now.Add(time.Hour), first)
	if err != nil {
		t.Fatal(err)
	}
	if string(next.CA) != string(first.CA) || string(next.Cert) == string(first.Cert) {
		t.Fatal("renewal made a new CA, or no new certificate")
	}
	if err := (Pair{CA: next.CA, Cert: first.Cert, Key: first.Key}).Usable([]string{"a.ops.svc"}, nil, now); err != nil {
		t.Errorf("the old certificate is not trusted by the kept CA: %v", err)
	}
	if fresh, _ := Generate([]string{"a.ops.svc"}, nil, now, Pair{CA: first.CA}); string(fresh.CA) == string(first.CA) {
		t.Error("a CA without its key was reused")
	}
}
