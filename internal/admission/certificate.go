package admission

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/reconcile"
)

// validity is how long a generated pair is good for; usable says when to
// make a new one.
const validity = 5 * 365 * 24 * time.Hour

// Keys of the Secret the pair is kept in.
const (
	caKey     = "ca.crt"
	caPrivKey = "ca.key"
	certKey   = "tls.crt"
	keyKey    = "tls.key"
)

// pair is a CA (with its key, to sign the next serving certificate) and a
// serving certificate with its key, PEM-encoded.
type pair struct {
	CA, CAKey, Cert, Key []byte
}

// generate makes a serving certificate for the given DNS names and IP
// addresses, valid from now for validity. It is signed by prev's CA when
// that CA has more than a year left, so certificates still served by other
// replicas stay trusted through the change; otherwise by a new CA.
func generate(dnsNames []string, ips []net.IP, now time.Time, prev pair) (pair, error) {
	caCert, caKey, caPEM, caKeyPEM, err := reuseCA(prev, now)
	if err != nil {
		return pair{}, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return pair{}, err
	}
	name := "bellwork-webhook"
	if len(dnsNames) > 0 {
		name = dnsNames[0]
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: name},
		DNSNames:     dnsNames,
		IPAddresses:  ips,
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(validity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return pair{}, fmt.Errorf("sign serving certificate: %w", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return pair{}, err
	}
	return pair{
		CA: caPEM, CAKey: caKeyPEM,
		Cert: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		Key:  pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
	}, nil
}

// reuseCA returns prev's CA when it parses and has more than a year left,
// or a new one.
func reuseCA(prev pair, now time.Time) (*x509.Certificate, *ecdsa.PrivateKey, []byte, []byte, error) {
	if b, _ := pem.Decode(prev.CA); b != nil {
		if k, _ := pem.Decode(prev.CAKey); k != nil {
			cert, cerr := x509.ParseCertificate(b.Bytes)
			key, kerr := x509.ParseECPrivateKey(k.Bytes)
			if cerr == nil && kerr == nil && cert.IsCA && now.Add(365*24*time.Hour).Before(cert.NotAfter) {
				return cert, key, prev.CA, prev.CAKey, nil
			}
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "Bellwork admission webhook CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(2 * validity),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("sign CA: %w", err)
	}
	cert, _ := x509.ParseCertificate(der)
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	return cert, key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), nil
}

// usable says whether a stored pair serves the names and addresses asked
// for and stays valid for at least another 30 days.
func (p pair) usable(dnsNames []string, ips []net.IP, now time.Time) error {
	if _, err := tls.X509KeyPair(p.Cert, p.Key); err != nil {
		return fmt.Errorf("certificate and key do not match: %w", err)
	}
	block, _ := pem.Decode(p.Cert)
	if block == nil {
		return errors.New("no certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return err
	}
	if now.Add(30 * 24 * time.Hour).After(cert.NotAfter) {
		return fmt.Errorf("expires %s", cert.NotAfter.Format(time.DateOnly))
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(p.CA) {
		return errors.New("no CA")
	}
	for _, n := range dnsNames {
		if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, DNSName: n, CurrentTime: now}); err != nil {
			return err
		}
	}
	for _, ip := range ips {
		if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, DNSName: ip.String(), CurrentTime: now}); err != nil {
			return err
		}
	}
	return nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return n
}

// keptPair reads the certificate kept in the Secret, or makes and keeps a
// new one (signed by the kept CA while it lasts) when there is none or it
// no longer serves these names or nears expiry. When two replicas race to
// make one, the one that loses serves the winner's.
func keptPair(ctx context.Context, c client.Client, ns string, dnsNames []string, ips []net.IP) (pair, error) {
	key := client.ObjectKey{Namespace: ns, Name: builders.WebhookSecretName}
	for attempt := 1; ; attempt++ {
		now := time.Now()
		w := reconcile.NewWriter(c, c, nil)
		s := &corev1.Secret{}
		err := w.Get(ctx, key, s)
		if err != nil && !apierrors.IsNotFound(err) {
			return pair{}, err
		}
		have := pairIn(s)
		if err == nil && have.usable(dnsNames, ips, now) == nil {
			return have, nil
		}
		made, err := generate(dnsNames, ips, now, have)
		if err != nil {
			return pair{}, err
		}
		want := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: builders.WebhookSecretName,
			Labels: map[string]string{builders.ManagedByLabel: builders.ManagedByValue}}, Type: corev1.SecretTypeOpaque,
			Data: map[string][]byte{caKey: made.CA, caPrivKey: made.CAKey, certKey: made.Cert, keyKey: made.Key}}
		kept, _, err := reconcile.Ensure(ctx, w, want, func(have, want *corev1.Secret) {
			if pairIn(have).usable(dnsNames, ips, now) == nil {
				return // another replica has just made one: serve the same
			}
			have.Data = want.Data
		})
		if apierrors.IsConflict(err) && attempt < 3 {
			continue // another replica renewed it meanwhile: read theirs
		}
		if err != nil {
			return pair{}, err
		}
		return pairIn(kept), nil
	}
}

// pairIn is the pair a Secret holds (empty when it holds none).
func pairIn(s *corev1.Secret) pair {
	return pair{CA: s.Data[caKey], CAKey: s.Data[caPrivKey], Cert: s.Data[certKey], Key: s.Data[keyKey]}
}
