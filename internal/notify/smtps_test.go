package notify_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ura-nrm/ura/internal/notify"
)

// selfSigned writes a self-signed certificate for 127.0.0.1 and its key into
// dir and returns their paths and a pool that trusts it.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "relay.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(c)
	return certFile, keyFile, pool
}

// TestImplicitTLS: with the implicit mode, a message reaches an SMTPS relay
// (aiosmtpd with its own certificate, TLS from the first byte, as on port
// 465); a relay whose certificate is not trusted gets nothing, and neither
// does a plain-text relay.
func TestImplicitTLS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t, t.TempDir())
	srv := startSMTP(t, 0, "--smtpscert", certFile, "--smtpskey", keyFile)
	msg := notify.Message{From: "ura@example.org", To: "mara@staff.example.org",
		Data: []byte("Subject: test\r\nFrom: ura@example.org\r\nTo: mara@staff.example.org\r\n\r\nA referral is waiting.\r\n")}
	ctx := context.Background()

	m := smtpTo(srv.port, notify.TLSImplicit)
	m.TLS = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	if err := m.Send(ctx, msg); err != nil {
		t.Fatalf("Send over implicit TLS: %v", err)
	}
	got := srv.messages(t)
	if len(got) != 1 || got[0].rcpt != "mara@staff.example.org" {
		t.Fatalf("the relay stored %+v, want the one message", got)
	}

	untrusted := smtpTo(srv.port, notify.TLSImplicit) // system roots: the self-signed relay is refused
	err := untrusted.Send(ctx, msg)
	if err == nil || notify.ErrorClass(err) != "tls" {
		t.Errorf("Send to an untrusted relay = %v (class %q), want a tls error", err, notify.ErrorClass(err))
	}

	// STARTTLS modes do not speak to an SMTPS port in clear: the relay
	// expects a handshake, so the session fails and nothing is stored.
	plain := startSMTP(t, 0)
	m = smtpTo(plain.port, notify.TLSImplicit)
	m.TLS = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	if err := m.Send(ctx, msg); err == nil {
		t.Errorf("implicit TLS to a plain-text relay succeeded")
	}
	if n := len(srv.messages(t)) + len(plain.messages(t)); n != 1 {
		t.Errorf("relays stored %d messages, want only the first", n)
	}
}
