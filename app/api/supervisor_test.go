package api

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"keyward/data"
)

// newSupervisor returns a supervisor on f's store, stopped when the test
// ends. It is configured with the account's settings, which name the
// default address: every test applies one of its own before it starts.
func (f *fixture) newSupervisor(t *testing.T) *Supervisor {
	s := NewSupervisor(f.store)
	t.Cleanup(func() { s.Stop(context.Background()) })
	return s
}

// occupy listens on a free loopback port for the rest of the test and
// returns its address: another program's.
func occupy(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().String()
}

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// isFree reports whether addr can be bound, and releases it again.
func isFree(addr string) bool {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

// get sends GET /v1/ with the Owner's key to the API at url and returns
// the status and X-Rate-Limit-Remaining; status 0 when nothing answers.
func (f *fixture) get(t *testing.T, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url+"/v1/", nil)
	must(t, err)
	req.Header.Set("x-api-key", f.accountKey)
	req.Header.Set("x-api-secret-key", f.owner0().key)
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		return 0, ""
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("X-Rate-Limit-Remaining")
}

func TestSupervisorStartStop(t *testing.T) {
	f := newFixture(t, Config{})
	s := f.newSupervisor(t)
	if st := s.Status(); st != (Status{Addr: data.DefaultAPIAddr}) {
		t.Fatalf("a new supervisor: %+v, want the account's address, stopped", st)
	}
	must(t, s.Apply(Config{Addr: "127.0.0.1:0", RateLimit: 7}))
	if st := s.Status(); st != (Status{Addr: "127.0.0.1:0"}) {
		t.Fatalf("Apply while stopped: %+v", st)
	}
	done := s.Done()

	must(t, s.Start())
	st := s.Status()
	if !st.Running || st.Err != nil || st.Addr != "127.0.0.1:0" || !strings.HasPrefix(st.URL, "http://127.0.0.1:") || strings.HasSuffix(st.URL, ":0") {
		t.Fatalf("running: %+v, want the port really bound", st)
	}
	// The configuration applied while stopped is the one served.
	if code, remaining := f.get(t, st.URL); code != 200 || remaining != "6" {
		t.Fatalf("GET /v1/: %d, remaining %q", code, remaining)
	}
	must(t, s.Start()) // a second Start does nothing
	if again := s.Status(); again != st {
		t.Fatalf("after a second Start: %+v, was %+v", again, st)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	must(t, s.Stop(ctx))
	if stopped := s.Status(); stopped != (Status{Addr: "127.0.0.1:0"}) {
		t.Fatalf("stopped: %+v", stopped)
	}
	select {
	case <-done:
	default:
		t.Fatal("Stop did not close Done")
	}
	if code, _ := f.get(t, st.URL); code != 0 {
		t.Fatalf("the stopped API still answers %d", code)
	}
	must(t, s.Stop(ctx)) // stopping twice is harmless

	// It starts again (the console's Enable API after Disable), with a new
	// Done.
	must(t, s.Start())
	select {
	case <-s.Done():
		t.Fatal("Done is closed while serving again")
	default:
	}
	if code, _ := f.get(t, s.Status().URL); code != 200 {
		t.Fatalf("restarted: %d", code)
	}
}

func TestSupervisorApplyMoves(t *testing.T) {
	f := newFixture(t, Config{})
	s := f.newSupervisor(t)
	first := freeAddr(t)
	must(t, s.Apply(Config{Addr: first}))
	must(t, s.Start())
	done := s.Done()

	// To a free address: served there, the old one released.
	second := freeAddr(t)
	must(t, s.Apply(Config{Addr: second}))
	if st := s.Status(); st != (Status{Running: true, URL: "http://" + second, Addr: second}) {
		t.Fatalf("after the move: %+v", st)
	}
	if code, _ := f.get(t, "http://"+second); code != 200 {
		t.Fatalf("the new address answers %d", code)
	}
	if !isFree(first) {
		t.Fatal("the old address is still bound")
	}

	// To a taken address: refused, still serving where it was.
	taken := occupy(t)
	err := s.Apply(Config{Addr: taken})
	if err == nil || err.Error() != "another program is already listening on "+taken+": stop it, or choose another address" {
		t.Fatalf("Apply to a taken address = %v", err)
	}
	if st := s.Status(); st != (Status{Running: true, URL: "http://" + second, Addr: second}) {
		t.Fatalf("after the refused move: %+v", st)
	}
	if code, _ := f.get(t, "http://"+second); code != 200 {
		t.Fatalf("the old address answers %d after a refused move", code)
	}

	// On the same address, a new rate limit: still serving, with it.
	must(t, s.Apply(Config{Addr: second, RateLimit: 3}))
	if st := s.Status(); !st.Running || st.URL != "http://"+second {
		t.Fatalf("after a new rate limit: %+v", st)
	}
	if code, remaining := f.get(t, "http://"+second); code != 200 || remaining != "2" {
		t.Fatalf("after a new rate limit: %d, remaining %q", code, remaining)
	}

	// On the same address, a configuration that cannot be served: the old
	// one comes back.
	err = s.Apply(Config{Addr: second, TLSCert: "cert.pem"})
	if err == nil || !strings.Contains(err.Error(), "give both a TLS certificate and its private key") {
		t.Fatalf("Apply of half a TLS configuration = %v", err)
	}
	if code, remaining := f.get(t, "http://"+second); code != 200 || remaining != "2" {
		t.Fatalf("the old configuration did not come back: %d, remaining %q", code, remaining)
	}
	select {
	case <-done:
		t.Fatal("a move closed Done")
	default:
	}
}

func TestSupervisorStartFailure(t *testing.T) {
	f := newFixture(t, Config{})
	s := f.newSupervisor(t)
	taken := occupy(t)
	must(t, s.Apply(Config{Addr: taken}))
	err := s.Start()
	if err == nil || !strings.Contains(err.Error(), "another program is already listening on "+taken) {
		t.Fatalf("Start on a taken address = %v", err)
	}
	if st := s.Status(); st.Running || st.URL != "" || st.Addr != taken || st.Err == nil || st.Err.Error() != err.Error() {
		t.Fatalf("after a failed Start: %+v", st)
	}

	// Started but not serving, it tries what is applied: a taken address
	// fails again and the old one is tried again...
	other := occupy(t)
	if err := s.Apply(Config{Addr: other}); err == nil || !strings.Contains(err.Error(), other) {
		t.Fatalf("Apply to another taken address = %v", err)
	}
	if st := s.Status(); st.Running || st.Addr != taken || st.Err == nil || !strings.Contains(st.Err.Error(), taken) {
		t.Fatalf("after a refused Apply: %+v", st)
	}
	// ... and a free one serves.
	free := freeAddr(t)
	must(t, s.Apply(Config{Addr: free}))
	if st := s.Status(); st != (Status{Running: true, URL: "http://" + free, Addr: free}) {
		t.Fatalf("after Apply to a free address: %+v", st)
	}

	// Stop forgets the failure.
	must(t, s.Stop(context.Background()))
	must(t, s.Apply(Config{Addr: taken}))
	if err := s.Start(); err == nil {
		t.Fatal("Start on a taken address succeeded")
	}
	must(t, s.Stop(context.Background()))
	if st := s.Status(); st != (Status{Addr: taken}) {
		t.Fatalf("stopped after a failure: %+v", st)
	}
}

func TestSupervisorServingEndsOnItsOwn(t *testing.T) {
	f := newFixture(t, Config{})
	s := f.newSupervisor(t)
	must(t, s.Apply(Config{Addr: "127.0.0.1:0"}))
	must(t, s.Start())
	s.mu.Lock()
	srv := s.srv.srv
	s.mu.Unlock()
	srv.Close() // as if serving failed: no Stop, no move
	select {
	case <-s.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Done was not closed")
	}
	if st := s.Status(); st.Running {
		t.Fatalf("after serving ended: %+v", st)
	}
	// It can be started again.
	must(t, s.Start())
	if code, _ := f.get(t, s.Status().URL); code != 200 {
		t.Fatalf("started again: %d", code)
	}
}

func TestSupervisorTLS(t *testing.T) {
	f := newFixture(t, Config{})
	s := f.newSupervisor(t)
	certFile, keyFile := writeSelfSignedCert(t, t.TempDir())
	must(t, s.Apply(Config{Addr: "127.0.0.1:0", TLSCert: certFile, TLSKey: keyFile}))
	must(t, s.Start())
	url := s.Status().URL
	if !strings.HasPrefix(url, "https://127.0.0.1:") {
		t.Fatalf("URL = %s", url)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	resp, err := client.Get(url + "/v1/")
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.TLS == nil {
		t.Fatalf("%d over TLS %v", resp.StatusCode, resp.TLS != nil)
	}
}

// TestSupervisorConcurrentUse starts, moves, stops and asks at once; the
// race detector watches.
func TestSupervisorConcurrentUse(t *testing.T) {
	f := newFixture(t, Config{})
	s := f.newSupervisor(t)
	must(t, s.Apply(Config{Addr: "127.0.0.1:0"}))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 25 {
				switch (g + i) % 4 {
				case 0:
					s.Start()
				case 1:
					s.Apply(Config{Addr: "127.0.0.1:0", RateLimit: i})
				case 2:
					s.Stop(context.Background())
				case 3:
					st := s.Status()
					if st.Running != (st.URL != "") || st.Running && st.Err != nil {
						t.Errorf("inconsistent status %+v", st)
					}
					s.Done()
				}
			}
		})
	}
	wg.Wait()
	must(t, s.Start())
	if code, _ := f.get(t, s.Status().URL); code != 200 {
		t.Fatalf("after concurrent use: %d", code)
	}
}
