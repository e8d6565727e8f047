package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"keyward/data"
	"keyward/data/badger"
)

// The gate behind the real proxies: Debian's nginx and Caddy, started by
// the tests on free loopback ports with the configurations of docs/gate
// (the README's), their ports changed, and stopped. Where a proxy is not
// installed its test is skipped, unless KEYWARD_REQUIRE_PROXIES is 1
// (make test installs them and sets it).

func requireProxy(t *testing.T, command string) string {
	t.Helper()
	path, err := exec.LookPath(command)
	if err != nil {
		if os.Getenv("KEYWARD_REQUIRE_PROXIES") == "1" {
			t.Fatalf("%s is not installed, and KEYWARD_REQUIRE_PROXIES=1: apt-get install %s", command, command)
		}
		t.Skipf("%s is not installed (apt-get install %s)", command, command)
	}
	return path
}

// gateSetup is a store with an Owner's key, a Viewer's key and a key
// allowed from 127.0.0.1 only, a gate server on it, and an upstream that
// echoes what it is sent.
type gateSetup struct {
	store                *data.Store
	accountKey           string
	owner, viewer, local string // the keys
	ownerID              data.UserKey
	gate, upstream       *httptest.Server
	upstreamSawSecret    atomic.Bool
	upstreamRequests     atomic.Int64
}

func newGateSetup(t *testing.T) *gateSetup {
	t.Helper()
	s, err := badger.OpenStore(t.TempDir(), data.Options{FlushInterval: time.Hour})
	must(t, err)
	t.Cleanup(func() { s.Close() })
	g := &gateSetup{store: s}
	_, owner, err := s.Init(data.NewAccount{AccountName: "Acme", OwnerName: "Ada Owner", OwnerEmail: "ada@example.com", OwnerPassword: ownerPassword})
	must(t, err)
	viewer, err := s.AddUser(data.CommandLine, data.NewUser{Name: "Vic Viewer", Email: "vic@example.com", Role: data.RoleViewer})
	must(t, err)
	_, err = s.SetAPIEnabled(data.CommandLine, true)
	must(t, err)
	g.accountKey, err = s.AccountKey(data.CommandLine, data.ShowAccountKey)
	must(t, err)
	g.ownerID, g.owner, err = s.CreateUserKey(data.CommandLine, "owner-gate-key", owner.ID)
	must(t, err)
	_, g.viewer, err = s.CreateUserKey(data.CommandLine, "viewer-gate-key", viewer.ID)
	must(t, err)
	local, secret, err := s.CreateUserKey(data.CommandLine, "local-only-key", owner.ID)
	must(t, err)
	g.local = secret
	_, err = s.AddCIDRRule(data.CommandLine, local.ID, "127.0.0.1")
	must(t, err)
	g.gate = httptest.NewServer(NewHandler(s, Config{RateLimit: 20, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}))
	t.Cleanup(g.gate.Close)
	g.upstream = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.upstreamRequests.Add(1)
		if r.Header.Get("X-Api-Key") != "" || r.Header.Get("X-Api-Secret-Key") != "" {
			g.upstreamSawSecret.Store(true)
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{
			"method": r.Method, "user": r.Header.Get("X-Keyward-User"), "email": r.Header.Get("X-Keyward-Email"),
			"role": r.Header.Get("X-Keyward-Role"), "key": r.Header.Get("X-Keyward-Key")})
	}))
	t.Cleanup(g.upstream.Close)
	return g
}

func hostPort(u string) string { return strings.TrimPrefix(u, "http://") }

// client calls through the proxy from the local address from.
func proxyClient(from string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
}

type proxied struct {
	status int
	retry  string
	body   map[string]any
}

func (g *gateSetup) call(t *testing.T, client *http.Client, proxy, method, secret string) proxied {
	t.Helper()
	return g.callWith(t, client, proxy, method, secret, nil)
}

// callWith is call with more request headers.
func (g *gateSetup) callWith(t *testing.T, client *http.Client, proxy, method, secret string, header http.Header) proxied {
	t.Helper()
	req, _ := http.NewRequest(method, proxy+"/orders/42", nil)
	for k, v := range header {
		req.Header[k] = v
	}
	if secret != "" {
		req.Header.Set("X-Api-Key", g.accountKey)
		req.Header.Set("X-Api-Secret-Key", secret)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s through the proxy: %v", method, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out := proxied{status: resp.StatusCode, retry: resp.Header.Get("Retry-After")}
	if len(b) > 0 && json.Unmarshal(b, &out.body) != nil {
		t.Fatalf("%s: %d, a body that is not JSON: %q", method, resp.StatusCode, b)
	}
	for _, k := range []string{g.accountKey, g.owner, g.viewer, g.local} {
		if strings.Contains(string(b), k) {
			t.Fatal("an answer repeats a key")
		}
	}
	return out
}

// checkGate runs the decisions through a proxy at base.
func (g *gateSetup) checkGate(t *testing.T, base string) {
	local := proxyClient("127.0.0.1")
	for _, tt := range []struct {
		name, method, secret string
		client               *http.Client
		status               int
		code                 string
	}{
		{"no key", "GET", "", local, 401, "UNAUTHORIZED"},
		{"a wrong key", "GET", "kwu_" + strings.Repeat("0", 38), local, 401, "UNAUTHORIZED"},
		{"a Viewer's POST", "POST", g.viewer, local, 403, "USER_INSUFFICIENT_ROLE"},
		{"a key allowed from 127.0.0.1 called from 127.0.0.2", "GET", g.local, proxyClient("127.0.0.2"), 403, "SOURCE_IP_NOT_ALLOWED"},
		{"the same from 127.0.0.1", "GET", g.local, local, 200, ""},
		{"a Viewer's GET", "GET", g.viewer, local, 200, ""},
		{"an Owner's DELETE", "DELETE", g.owner, local, 200, ""},
	} {
		got := g.call(t, tt.client, base, tt.method, tt.secret)
		if got.status != tt.status || (tt.code != "" && got.body["code"] != tt.code) {
			t.Errorf("%s: %d %v, want %d %s", tt.name, got.status, got.body, tt.status, tt.code)
		}
		if tt.status == 200 && (got.body["user"] == "" || got.body["role"] == "" || got.body["key"] == "" || got.body["method"] != tt.method) {
			t.Errorf("%s: the upstream saw %v", tt.name, got.body)
		}
	}
	if got := g.call(t, local, base, "GET", g.viewer); got.body["user"] != "Vic Viewer" || got.body["email"] != "vic@example.com" || got.body["role"] != "Viewer" || got.body["key"] != "viewer-gate-key" {
		t.Errorf("the Viewer's identity upstream: %v", got.body)
	}
	// A client that sends an identity of its own: the service sees the
	// gate's.
	if got := g.callWith(t, local, base, "GET", g.viewer, http.Header{"X-Keyward-Role": {"Owner"}, "X-Keyward-User": {"Ada Owner"}}); got.body["user"] != "Vic Viewer" || got.body["role"] != "Viewer" {
		t.Errorf("a client's own X-Keyward-Role and X-Keyward-User reached the service: %v", got.body)
	}
	// Disabled, expired, deleted: each its code.
	k, disabled, err := g.store.CreateUserKey(data.CommandLine, "disabled-gate-1", g.ownerID.UserID)
	must(t, err)
	_, err = g.store.DisableUserKey(data.CommandLine, k.ID)
	must(t, err)
	_, expiring, err := g.store.CreateUserKeyWith(data.CommandLine, data.NewKey{Name: "expiring-gate-1", UserID: g.ownerID.UserID, ExpiresAt: time.Now().Add(300 * time.Millisecond)})
	must(t, err)
	time.Sleep(400 * time.Millisecond)
	for _, tt := range []struct{ secret, code string }{{disabled, "KEY_DISABLED"}, {expiring, "KEY_EXPIRED"}} {
		if got := g.call(t, local, base, "GET", tt.secret); got.status != 401 || got.body["code"] != tt.code {
			t.Errorf("%s: %d %v", tt.code, got.status, got.body)
		}
	}
	// The rate limit: 20 a minute for the key, 429 with Retry-After.
	_, limited, err := g.store.CreateUserKey(data.CommandLine, "limited-gate-1", g.ownerID.UserID)
	must(t, err)
	var last proxied
	for range 21 {
		last = g.call(t, local, base, "GET", limited)
	}
	if last.status != 429 || last.body["code"] != "RATE_LIMIT_EXCEEDED" || last.retry == "" {
		t.Errorf("the 21st request of a minute: %d %q %v", last.status, last.retry, last.body)
	}
	// A key deleted while a client loops: nothing passes after the
	// deletion is acknowledged.
	dk, doomed, err := g.store.CreateUserKey(data.CommandLine, "doomed-gate-01", g.ownerID.UserID)
	must(t, err)
	var deleted atomic.Bool
	var passedAfter atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for ctx.Err() == nil {
				after := deleted.Load()
				if got := g.call(t, local, base, "GET", doomed); after && got.status == 200 {
					passedAfter.Add(1)
				}
			}
		})
	}
	time.Sleep(100 * time.Millisecond)
	must(t, g.store.DeleteUserKey(data.CommandLine, dk.ID))
	deleted.Store(true)
	time.Sleep(100 * time.Millisecond)
	cancel()
	wg.Wait()
	if n := passedAfter.Load(); n > 0 {
		t.Errorf("%d requests started after the deletion passed", n)
	}
	if g.upstreamSawSecret.Load() {
		t.Error("the upstream was sent the key headers")
	}
}

// siteConfig returns the README's configuration docs/gate/name with the
// gate's and the upstream's addresses of g, and listen replaced by
// listenAt.
func (g *gateSetup) siteConfig(t *testing.T, name, listen, listenAt string) string {
	t.Helper()
	conf, err := os.ReadFile(filepath.Join("..", "..", "docs", "gate", name))
	must(t, err)
	return strings.NewReplacer("127.0.0.1:8686", hostPort(g.gate.URL), "127.0.0.1:8080", hostPort(g.upstream.URL),
		listen, listenAt).Replace(string(conf))
}

// TestGateBehindNginx runs the gate behind nginx with docs/gate/nginx.conf.
func TestGateBehindNginx(t *testing.T) {
	nginx := requireProxy(t, "nginx")
	g := newGateSetup(t)
	dir := t.TempDir()
	addr := freeAddr(t)
	site := g.siteConfig(t, "nginx.conf", "listen 80;", "listen "+addr+";")
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;\n" // the workers read nothing outside dir, which is root's
	}
	main := fmt.Sprintf(`%sworker_processes 1;
daemon off;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log warn;
events { worker_connections 256; }
http {
	access_log off;
	client_body_temp_path %[2]s/body;
	proxy_temp_path %[2]s/proxy;
	fastcgi_temp_path %[2]s/fastcgi;
	uwsgi_temp_path %[2]s/uwsgi;
	scgi_temp_path %[2]s/scgi;
%[3]s
}
`, user, dir, site)
	must(t, os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(main), 0o600))
	cmd := exec.Command(nginx, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-e", filepath.Join(dir, "error.log"))
	out := startProxy(t, cmd)
	awaitListening(t, addr, func() string {
		b, _ := os.ReadFile(filepath.Join(dir, "error.log"))
		return out.String() + string(b)
	})
	g.checkGate(t, "http://"+addr)
}

// TestGateBehindCaddy runs the gate behind Caddy with docs/gate/Caddyfile.
func TestGateBehindCaddy(t *testing.T) {
	caddy := requireProxy(t, "caddy")
	g := newGateSetup(t)
	dir := t.TempDir()
	addr := freeAddr(t)
	site := g.siteConfig(t, "Caddyfile", "example.com {", "http://"+addr+" {")
	file := filepath.Join(dir, "Caddyfile")
	must(t, os.WriteFile(file, []byte("{\n\tadmin off\n\tauto_https off\n}\n"+site), 0o600))
	cmd := exec.Command(caddy, "run", "--config", file, "--adapter", "caddyfile")
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
	out := startProxy(t, cmd)
	awaitListening(t, addr, func() string { return out.String() })
	g.checkGate(t, "http://"+addr)
}

// TestGateBehindTraefik runs the gate behind Traefik v3 with
// docs/gate/traefik.yml. Debian packages no Traefik, so make test cannot
// install it: the test runs where a traefik binary is on the PATH, and is
// skipped elsewhere, KEYWARD_REQUIRE_PROXIES or not.
func TestGateBehindTraefik(t *testing.T) {
	traefik, err := exec.LookPath("traefik")
	if err != nil {
		t.Skip("traefik is not installed (Debian has no package; put Traefik v3's binary on the PATH to run this test)")
	}
	g := newGateSetup(t)
	dir := t.TempDir()
	addr := freeAddr(t)
	rule := "rule: \"PathPrefix(`/`)\""
	file := filepath.Join(dir, "traefik.yml")
	must(t, os.WriteFile(file, []byte(g.siteConfig(t, "traefik.yml", rule, rule)), 0o600))
	cmd := exec.Command(traefik, "--entryPoints.web.address="+addr, "--providers.file.filename="+file,
		"--global.checkNewVersion=false", "--global.sendAnonymousUsage=false", "--log.level=ERROR")
	cmd.Env = append(os.Environ(), "HOME="+dir)
	out := startProxy(t, cmd)
	awaitListening(t, addr, func() string { return out.String() })
	// Traefik listens before it has read the routes: until then it
	// answers 404.
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := proxyClient("127.0.0.1").Get("http://" + addr + "/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusUnauthorized {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("Traefik did not route to the gate in 10 s: %s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	g.checkGate(t, "http://"+addr)
}

// TestREADMEHasTheGateConfigs: the configurations the README shows are
// the files the tests run, word for word, so that what a reader copies is
// what was tested.
func TestREADMEHasTheGateConfigs(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	must(t, err)
	for _, name := range []string{"nginx.conf", "Caddyfile", "traefik.yml"} {
		conf, err := os.ReadFile(filepath.Join("..", "..", "docs", "gate", name))
		must(t, err)
		if !strings.Contains(string(readme), string(conf)) {
			t.Errorf("the README does not show docs/gate/%s as it is", name)
		}
	}
}

// syncBuilder is a strings.Builder a process writes to while the test
// reads it.
type syncBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuilder) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuilder) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startProxy starts a proxy and stops it when the test ends: SIGTERM,
// which makes nginx's master stop its workers too, then SIGKILL; Wait
// gives up on the output of a worker left behind after a few seconds.
func startProxy(t *testing.T, cmd *exec.Cmd) *syncBuilder {
	t.Helper()
	out := &syncBuilder{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = 3 * time.Second
	must(t, cmd.Start())
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	return out
}

// awaitListening waits until something accepts on addr.
func awaitListening(t *testing.T, addr string, log func() string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens on %s after 10 s:\n%s", addr, log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
