package cli

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"keyward/app/api"
	"keyward/data"
	"keyward/data/badger"
)

// syncBuffer is a bytes.Buffer safe to write from Run's goroutine while
// the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var servingRE = regexp.MustCompile(`Serving the REST API of Acme on (http://\S+) \(`)

// initWithKey creates an account in dir with the API enabled and one
// Owner key, and returns the account key and the user key.
func initWithKey(t *testing.T, dir string) (accountKey, userKey string) {
	saved := runFlow(t, runInProcess, dir, []step{
		{args: []string{"init", "--account", "Acme", "--owner-name", "Ada", "--owner-email", "ada@example.com"}, stdin: "a long owner password\n", stdout: `(?s).*`},
		{args: []string{"api", "enable"}, stdout: `(?s).*`},
		{args: []string{"api", "account-key"}, stdout: accountKeyRE, save: "account"},
		{args: []string{"keys", "create", "--name", "served-key-01", "--user", "ada@example.com"}, stdout: userKeyRE, save: "user"},
	})
	return saved["account"], saved["user"]
}

func TestServe(t *testing.T) {
	for _, tt := range []struct {
		name      string
		flags     []string
		remaining string
	}{
		{"flags", []string{"--rate-limit", "50"}, "49"},
		{"the account's settings", nil, "6"},
	} {
		t.Run(tt.name, func(t *testing.T) { testServe(t, tt.flags, tt.remaining) })
	}
}

// testServe runs serve with flags on an account whose settings allow 7
// requests a minute, and expects the given X-Rate-Limit-Remaining after
// one request.
func testServe(t *testing.T, flags []string, remaining string) {
	dir := t.TempDir()
	accountKey, userKey := initWithKey(t, dir)
	s, err := badger.OpenStore(dir, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	set := s.Settings()
	set.RateLimit = 7
	if _, err := s.SetSettings(data.CommandLine, set); err != nil {
		t.Fatal(err)
	}
	s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int)
	go func() {
		done <- Run(append([]string{"serve", "--listen", "127.0.0.1:0", "--data", dir}, flags...),
			Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }, Context: ctx, Open: badger.OpenStore, API: api.NewSupervisor})
	}()
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := servingRE.FindStringSubmatch(stdout.String()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		cancel()
		t.Fatalf("serve did not start: %q %q", stdout.String(), stderr.String())
	}
	req, _ := http.NewRequest("GET", url+"/v1/", nil)
	req.Header.Set("x-api-key", accountKey)
	req.Header.Set("x-api-secret-key", userKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Rate-Limit-Remaining") != remaining {
		t.Fatalf("%d, remaining %q", resp.StatusCode, resp.Header.Get("X-Rate-Limit-Remaining"))
	}
	// While serve holds the directory, commands say so.
	runFlow(t, runInProcess, dir, []step{{args: []string{"keys", "list"}, code: 1, stderr: "in use by another Keyward"}})

	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d: %s", code, stderr.String())
	}
	if !strings.HasSuffix(stdout.String(), "Stopped.\n") {
		t.Fatalf("stdout: %q", stdout.String())
	}
	// The last-used time was written on the way out.
	s, err = badger.OpenStore(dir, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	k, _ := s.UserKeyByName("served-key-01")
	if k.LastUsedAt.IsZero() || k.LastUsedFrom.String() != "127.0.0.1" {
		t.Fatalf("last used %v from %v", k.LastUsedAt, k.LastUsedFrom)
	}
}

func TestServeRefusals(t *testing.T) {
	dir := t.TempDir()
	initWithKey(t, dir)
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	runFlow(t, runInProcess, dir, []step{
		{args: []string{"serve", "--rate-limit", "-1"}, code: 1, stderr: "The rate limit must be a number of requests a minute from 0 (no limit)"},
		{args: []string{"serve", "--listen", "localhost"}, code: 1, stderr: `"localhost" is not an address to listen on: write it as HOST:PORT`},
		{args: []string{"serve", "--trusted-proxies", "10.0.0.0/8,10.0.0.1/8"}, code: 1, stderr: "--trusted-proxies: \"10.0.0.1/8\" has host bits set"},
		{args: []string{"serve", "--listen", taken.Addr().String()}, code: 1, stderr: "another program is already listening on " + taken.Addr().String()},
		{args: []string{"serve", "--listen", "127.0.0.1:0", "--tls-cert", "cert.pem"}, code: 1, stderr: "give both a TLS certificate and its private key"},
		{args: []string{"api", "disable"}, stdout: `(?s).*`},
		{args: []string{"serve"}, code: 1, stderr: "The REST API of Acme is disabled: enable it with 'keyward api enable'"},
	})
}
