package api

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"keyward/data"
)

func (f *fixture) owner0() roleKeys  { return f.roles[0] }
func (f *fixture) viewer0() roleKeys { return f.roles[1] }

// TestHeaderNamesAreCaseInsensitive sends the headers over a real
// connection in unusual spellings.
func TestHeaderNamesAreCaseInsensitive(t *testing.T) {
	f := newFixture(t, Config{RateLimit: data.DefaultRateLimit})
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	must(t, err)
	defer conn.Close()
	fmt.Fprintf(conn, "GET /v1/ HTTP/1.1\r\nHost: x\r\nX-API-KEY: %s\r\nx-Api-Secret-KEY: %s\r\nConnection: close\r\n\r\n", f.accountKey, f.owner0().key)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	must(t, err)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

func TestPerKeyRateLimit(t *testing.T) {
	f := newFixture(t, Config{RateLimit: 5})
	get := func(key string) *httptest.ResponseRecorder {
		return f.do(request{method: "GET", path: "/v1/", header: f.creds(key)})
	}
	for i := 4; i >= 0; i-- {
		w := get(f.owner0().key)
		if w.Code != 200 || w.Header().Get("X-Rate-Limit-Remaining") != strconv.Itoa(i) {
			t.Fatalf("request %d: %d, remaining %q", 5-i, w.Code, w.Header().Get("X-Rate-Limit-Remaining"))
		}
	}
	w := get(f.owner0().key)
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "12" || w.Header().Get("X-Rate-Limit-Remaining") != "0" {
		t.Fatalf("past the limit: %d, Retry-After %q: %s", w.Code, w.Header().Get("Retry-After"), w.Body)
	}
	checkErrorBody(t, f, w.Body.Bytes(), http.StatusTooManyRequests)
	// Another key has its own budget.
	if w := get(f.viewer0().key); w.Code != 200 || w.Header().Get("X-Rate-Limit-Remaining") != "4" {
		t.Fatalf("another key: %d %q", w.Code, w.Header().Get("X-Rate-Limit-Remaining"))
	}
	f.clock.Advance(12 * time.Second) // 5 a minute: one every 12 s
	if w := get(f.owner0().key); w.Code != 200 || w.Header().Get("X-Rate-Limit-Remaining") != "0" {
		t.Fatalf("after 12 s: %d %q", w.Code, w.Header().Get("X-Rate-Limit-Remaining"))
	}
}

func TestRateLimitOff(t *testing.T) {
	f := newFixture(t, Config{RateLimit: 0})
	for range 50 {
		if w := f.do(request{method: "GET", path: "/v1/", header: f.creds(f.owner0().key)}); w.Code != 200 || w.Header().Get("X-Rate-Limit-Remaining") != "" {
			t.Fatalf("%d %q", w.Code, w.Header().Get("X-Rate-Limit-Remaining"))
		}
	}
}

// TestBruteForceIsSlowedDown: a client that keeps failing gets 429 with
// Retry-After past its burst, for its failures only.
func TestBruteForceIsSlowedDown(t *testing.T) {
	f := newFixture(t, Config{RateLimit: data.DefaultRateLimit})
	wrong, _ := data.NewUserKey()
	attacker := "192.0.2.66"
	fail := func() *httptest.ResponseRecorder {
		return f.do(request{method: "GET", path: "/v1/", header: f.creds(wrong), peer: attacker})
	}
	for i := range failBurst {
		if w := fail(); w.Code != 401 {
			t.Fatalf("failure %d: %d", i+1, w.Code)
		}
	}
	w := fail()
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "6" {
		t.Fatalf("past the burst: %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
	checkErrorBody(t, f, w.Body.Bytes(), http.StatusTooManyRequests)
	if e := errorCode(t, w); e != "TOO_MANY_FAILED_AUTHENTICATIONS" {
		t.Fatalf("past the burst: code %s", e)
	}
	// Valid credentials from the same address pass at once, and spend
	// nothing of its failure budget.
	if w := f.do(request{method: "GET", path: "/v1/", header: f.creds(f.owner0().key), peer: attacker}); w.Code != 200 {
		t.Fatalf("a valid key from the failing address: %d %s", w.Code, w.Body)
	}
	f.clock.Advance(6 * time.Second) // one try every 6 s
	if w := fail(); w.Code != 401 {
		t.Fatalf("after the wait: %d", w.Code)
	}
	if w := fail(); w.Code != http.StatusTooManyRequests {
		t.Fatalf("the try after that: %d", w.Code)
	}
}

// TestValidKeyPassesAfterManyFailures: a valid key from an address that
// has just sent 1,000 failed authentications gets its answer at once.
func TestValidKeyPassesAfterManyFailures(t *testing.T) {
	f := newFixture(t, Config{RateLimit: data.DefaultRateLimit})
	wrong, _ := data.NewUserKey()
	refused := 0
	for range 1000 {
		w := f.do(request{method: "GET", path: "/v1/", header: f.creds(wrong)})
		switch w.Code {
		case http.StatusTooManyRequests:
			refused++
		case http.StatusUnauthorized:
		default:
			t.Fatalf("a failure: %d %s", w.Code, w.Body)
		}
	}
	if refused != 1000-failBurst {
		t.Fatalf("%d of 1,000 failures got 429, want %d", refused, 1000-failBurst)
	}
	w := f.do(request{method: "GET", path: "/v1/", header: f.creds(f.owner0().key)})
	if w.Code != 200 || w.Header().Get("Retry-After") != "" || w.Header().Get("X-Rate-Limit-Remaining") == "" {
		t.Fatalf("the valid key after 1,000 failures: %d %v %s", w.Code, w.Header(), w.Body)
	}
}

// TestRevokedJobDoesNotLockOutOwner replays the lockout of issue 10: a
// job still running with a deleted key keeps trying from 127.0.0.1, once
// a second and in bursts, while the Owner's own key is used from there.
func TestRevokedJobDoesNotLockOutOwner(t *testing.T) {
	f := newFixture(t, Config{RateLimit: data.DefaultRateLimit})
	job := f.creds(f.owner0().deleted)
	owner := f.creds(f.owner0().key)
	for second := range 120 {
		for range 1 + second%5 {
			if w := f.do(request{method: "GET", path: "/v1/users", header: job}); w.Code != 401 && w.Code != 429 {
				t.Fatalf("second %d: the job got %d", second, w.Code)
			}
		}
		if w := f.do(request{method: "GET", path: "/v1/users", header: owner}); w.Code != 200 {
			t.Fatalf("second %d: the Owner's key got %d %s", second, w.Code, w.Body)
		}
		f.clock.Advance(time.Second)
	}
}

// TestFailuresCountPerNetwork: failures are counted per IPv4 address and
// per IPv6 /64; an IPv4-mapped address counts as its IPv4 address.
func TestFailuresCountPerNetwork(t *testing.T) {
	tests := []struct {
		first, second string
		shared        bool
	}{
		{"192.0.2.1", "192.0.2.1", true},
		{"192.0.2.1", "192.0.2.2", false},
		{"192.0.2.1", "::ffff:192.0.2.1", true},
		{"2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:fffe", true},
		{"2001:db8:1:2::1", "2001:db8:1:3::1", false},
		{"2001:db8:1:2::1", "2001:db9:1:2::1", false},
		{"::ffff:192.0.2.1", "::ffff:192.0.2.9", false},
		{"192.0.2.1", "::c000:201", false}, // an IPv6 address, not a mapped one
	}
	wrong, _ := data.NewUserKey()
	for _, tt := range tests {
		f := newFixture(t, Config{})
		for range failBurst {
			f.do(request{method: "GET", path: "/v1/", header: f.creds(wrong), peer: tt.first})
		}
		want := http.StatusUnauthorized
		if tt.shared {
			want = http.StatusTooManyRequests
		}
		if w := f.do(request{method: "GET", path: "/v1/", header: f.creds(wrong), peer: tt.second}); w.Code != want {
			t.Errorf("%s then %s: %d, want %d", tt.first, tt.second, w.Code, want)
		}
	}
}

// TestFailureLimitersStayBounded sends failed authentications from many
// more addresses than the limiter set may hold.
func TestFailureLimitersStayBounded(t *testing.T) {
	f := newFixture(t, Config{})
	wrong, _ := data.NewUserKey()
	h := f.creds(wrong)
	base := netip.MustParseAddr("2001:db8::1").As16()
	for i := range maxFailClients + maxFailClients/2 {
		a := base // a /64 each, since failures are counted per /64
		a[4], a[5], a[6], a[7] = byte(i>>24), byte(i>>16), byte(i>>8), byte(i)
		req := httptest.NewRequest("GET", "/v1/", nil)
		req.RemoteAddr = netip.AddrPortFrom(netip.AddrFrom16(a), 1).String()
		for k, v := range h {
			req.Header.Set(k, v)
		}
		f.h.ServeHTTP(httptest.NewRecorder(), req)
		if n := f.h.failLimits.len(); n > maxFailClients {
			t.Fatalf("after %d addresses the set holds %d limiters", i+1, n)
		}
	}
	// Once they have been quiet for a minute, the next newcomer sweeps them.
	f.clock.Advance(2 * time.Minute)
	f.do(request{method: "GET", path: "/v1/", header: h, peer: "192.0.2.1"})
	if n := f.h.failLimits.len(); n > 1 {
		t.Fatalf("idle limiters were not evicted: %d left", n)
	}
}

func TestForwardedFor(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	tests := []struct {
		peer string
		xff  []string
		want string
	}{
		{"198.51.100.1", nil, "198.51.100.1"},
		{"198.51.100.1", []string{"203.0.113.5"}, "198.51.100.1"},               // untrusted peer: header ignored
		{"10.0.0.1", []string{"203.0.113.5"}, "203.0.113.5"},                    // one trusted proxy
		{"10.0.0.1", []string{"1.1.1.1, 203.0.113.5, 10.0.0.9"}, "203.0.113.5"}, // chain: spoofed left part ignored
		{"10.0.0.1", []string{"1.1.1.1", "203.0.113.5"}, "203.0.113.5"},         // several header lines
		{"10.0.0.1", []string{"203.0.113.5:4711"}, "203.0.113.5"},
		{"10.0.0.1", []string{"[2001:db8::7]:4711"}, "2001:db8::7"},
		{"10.0.0.1", []string{"::ffff:203.0.113.5"}, "203.0.113.5"},
		{"fd00::1", []string{"2001:db8::7, fd00::2"}, "2001:db8::7"},
		{"10.0.0.1", []string{"10.0.0.2, 10.0.0.3"}, "10.0.0.2"}, // only proxies: the farthest
		{"10.0.0.1", []string{""}, "10.0.0.1"},
		{"::ffff:198.51.100.1", nil, "198.51.100.1"},
		{"10.0.0.1", []string{"203.0.113.5, not-an-ip"}, "error"},
	}
	for _, tt := range tests {
		req := httptest.NewRequest("GET", "/v1/", nil)
		req.RemoteAddr = netip.AddrPortFrom(netip.MustParseAddr(tt.peer), 1).String()
		for _, v := range tt.xff {
			req.Header.Add("X-Forwarded-For", v)
		}
		got, err := clientAddr(req, trusted)
		if tt.want == "error" {
			if err == nil || err.Status != 400 {
				t.Errorf("%s %v: want a 400, got %v", tt.peer, tt.xff, got)
			}
			continue
		}
		if err != nil || got.String() != tt.want {
			t.Errorf("%s %v: client %v (%v), want %s", tt.peer, tt.xff, got, err, tt.want)
		}
	}
}

func TestLastUsedIsRecorded(t *testing.T) {
	f := newFixture(t, Config{})
	h := f.creds(f.owner0().restricted)
	h["X-Forwarded-For"] = allowedAddr
	f.clock.Advance(time.Hour)
	if w := f.do(request{method: "GET", path: "/v1/", header: h, peer: trustedProxy}); w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	k, err := f.store.UserKeyByName("owner-restricted")
	must(t, err)
	if !k.LastUsedAt.Equal(f.clock.Now()) || k.LastUsedFrom.String() != allowedAddr {
		t.Fatalf("last used %v from %v", k.LastUsedAt, k.LastUsedFrom)
	}
	var root rootAccount
	w := f.do(request{method: "GET", path: "/v1/", header: h, peer: trustedProxy})
	decodeBody(t, w, &root)
	if root.Account.Key.HTTPSourceIP != allowedAddr || strings.Join(root.Account.Key.AllowedSourceIPs, ",") != allowedNet ||
		root.Account.Key.Name != "owner-restricted" || root.Account.Key.Owner.Email != "ada@example.com" {
		t.Fatalf("GET /v1/ = %+v", root)
	}
}

// errorCode returns the code of an error answer.
func errorCode(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var e apiError
	decodeBody(t, w, &e)
	return e.Code
}

// decode reads a JSON body into v.
func decodeBody(t *testing.T, w *httptest.ResponseRecorder, v any) {
	t.Helper()
	if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
		t.Fatalf("%v: %s", err, w.Body)
	}
}

// TestAKeyHeaderSentTwiceIsRefused: a request that sends a key header
// twice, even with two keys that work on their own, is refused as
// unauthenticated, with a message saying so, and counts as a failure;
// the API and the gate alike.
func TestAKeyHeaderSentTwiceIsRefused(t *testing.T) {
	f := newFixture(t, Config{RateLimit: data.DefaultRateLimit})
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	for _, path := range []string{"/v1/", "/gate"} {
		for _, twice := range []string{
			fmt.Sprintf("X-Api-Key: %s\r\nX-Api-Secret-Key: %s\r\nX-Api-Secret-Key: %s\r\n", f.accountKey, f.owner0().key, f.viewer0().key),
			fmt.Sprintf("X-Api-Key: %s\r\nx-api-key: %s\r\nX-Api-Secret-Key: %s\r\n", f.accountKey, f.accountKey, f.owner0().key),
		} {
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			must(t, err)
			fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n", path, twice)
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			must(t, err)
			var body struct{ Code, Message string }
			must(t, json.NewDecoder(resp.Body).Decode(&body))
			conn.Close()
			if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body.Message, "more than once: send each key header once") {
				t.Fatalf("GET %s with a key header twice: %d %+v", path, resp.StatusCode, body)
			}
		}
	}
}
