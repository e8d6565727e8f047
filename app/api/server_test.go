package api

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"keyward/data"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestServerStartStop(t *testing.T) {
	f := newFixture(t, Config{})
	s := newServer(f.store, Config{Addr: "127.0.0.1:0", RateLimit: data.DefaultRateLimit})
	must(t, s.Start())
	addr := s.Addr()
	if !strings.HasPrefix(addr, "127.0.0.1:") || strings.HasSuffix(addr, ":0") {
		t.Fatalf("Addr() = %q, want the port really bound", addr)
	}
	req, _ := http.NewRequest("GET", s.URL()+"/v1/", nil)
	req.Header.Set("x-api-key", f.accountKey)
	req.Header.Set("x-api-secret-key", f.owner0().key)
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Rate-Limit-Remaining") != "399" {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if err := s.Start(); err == nil || !strings.Contains(err.Error(), "already running on "+addr) {
		t.Fatalf("a second Start = %v", err)
	}

	// Another server on the same address says why it cannot start.
	other := newServer(f.store, Config{Addr: addr})
	if err := other.Start(); err == nil || !strings.Contains(err.Error(), "another program is already listening on "+addr) {
		t.Fatalf("Start on a taken address = %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	must(t, s.Stop(ctx))
	if s.Addr() != "" {
		t.Fatal("a stopped server still has an address")
	}
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("the stopped server still answers")
	}
	must(t, s.Stop(ctx)) // stopping twice is harmless
	// It can start again (the console's Enable API after Disable).
	must(t, s.Start())
	must(t, s.Stop(ctx))
}

func TestServerTLSConfigErrors(t *testing.T) {
	f := newFixture(t, Config{})
	for _, cfg := range []Config{
		{Addr: "127.0.0.1:0", TLSCert: "cert.pem"},
		{Addr: "127.0.0.1:0", TLSCert: "missing-cert.pem", TLSKey: "missing-key.pem"},
	} {
		err := newServer(f.store, cfg).Start()
		if err == nil || !strings.Contains(err.Error(), "TLS") {
			t.Errorf("Start(%+v) = %v", cfg, err)
		}
	}
}

func TestServerTLS(t *testing.T) {
	f := newFixture(t, Config{})
	dir := t.TempDir()
	certFile, keyFile := writeSelfSignedCert(t, dir)
	s := newServer(f.store, Config{Addr: "127.0.0.1:0", TLSCert: certFile, TLSKey: keyFile})
	must(t, s.Start())
	defer s.Stop(context.Background())
	if !strings.HasPrefix(s.URL(), "https://127.0.0.1:") {
		t.Fatalf("URL() = %s", s.URL())
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	req, _ := http.NewRequest("GET", s.URL()+"/v1/", nil)
	req.Header.Set("x-api-key", f.accountKey)
	req.Header.Set("x-api-secret-key", f.owner0().key)
	resp, err := client.Do(req)
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil {
		t.Fatalf("%d over TLS %v", resp.StatusCode, resp.TLS != nil)
	}
}

// writeSelfSignedCert writes a certificate for 127.0.0.1 and its key.
func writeSelfSignedCert(t *testing.T, dir string) (certFile, keyFile string) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "keyward test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	must(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	must(t, err)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	must(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	must(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))
	return certFile, keyFile
}
