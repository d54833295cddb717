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
	p, err := Generate(names, ips, now)
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
	other, _ := Generate(names, ips, now)
	if err := (Pair{CA: p.CA, Cert: p.Cert, Key: other.Key}).Usable(names, ips, now); err == nil {
		t.Error("certificate usable with another key")
	}
	if err := (Pair{CA: other.CA, Cert: p.Cert, Key: p.Key}).Usable(names, ips, now); err == nil {
		t.Error("certificate usable under another CA")
	}
}
