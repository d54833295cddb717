// Package webhookcert makes the certificate authority and serving
// certificate the operator's admission webhook presents to the API server.
// It holds no API client: the operator keeps what it makes in a Secret so
// every replica serves the same certificate.
package webhookcert

import (
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
)

// Validity is how long a generated pair is good for; Expiring says when to
// make a new one.
const Validity = 5 * 365 * 24 * time.Hour

// Keys of the Secret the pair is kept in.
const (
	CAKey    = "ca.crt"
	CAKeyKey = "ca.key"
	CertKey  = "tls.crt"
	KeyKey   = "tls.key"
)

// Pair is a CA (with its key, to sign the next serving certificate) and a
// serving certificate with its key, PEM-encoded.
type Pair struct {
	CA, CAKey, Cert, Key []byte
}

// Generate makes a serving certificate for the given DNS names and IP
// addresses, valid from now for Validity. It is signed by prev's CA when
// that CA has more than a year left, so certificates still served by other
// replicas stay trusted through the change; otherwise by a new CA.
func Generate(dnsNames []string, ips []net.IP, now time.Time, prev Pair) (Pair, error) {
	caCert, caKey, caPEM, caKeyPEM, err := reuseCA(prev, now)
	if err != nil {
		return Pair{}, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Pair{}, err
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
		NotAfter:     now.Add(Validity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return Pair{}, fmt.Errorf("sign serving certificate: %w", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return Pair{}, err
	}
	return Pair{
		CA: caPEM, CAKey: caKeyPEM,
		Cert: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		Key:  pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
	}, nil
}

// reuseCA returns prev's CA when it parses and has more than a year left,
// or a new one.
func reuseCA(prev Pair, now time.Time) (*x509.Certificate, *ecdsa.PrivateKey, []byte, []byte, error) {
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
		NotAfter:              now.Add(2 * Validity),
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

// Usable says whether a stored pair serves the names and addresses asked
// for and stays valid for at least another 30 days.
func (p Pair) Usable(dnsNames []string, ips []net.IP, now time.Time) error {
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
