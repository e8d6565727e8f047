package api

import (
	"encoding/json"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"keyward/data"
)

// gate asks the gate about a request with method, the headers added to
// the key's, from peer.
func (f *fixture) gate(method, peer string, header map[string]string) (int, map[string]string, apiError) {
	w := f.do(request{method: "GET", path: "/gate", peer: peer, header: header})
	got := map[string]string{}
	for _, h := range []string{headerGateUser, headerGateEmail, headerGateRole, headerGateKey, "Retry-After", headerGateError, "Content-Type"} {
		if v := w.Header().Get(h); v != "" {
			got[h] = v
		}
	}
	var e apiError
	if w.Code != 204 {
		json.Unmarshal(w.Body.Bytes(), &e)
	} else if w.Body.Len() != 0 {
		panic("a 204 with a body")
	}
	return w.Code, got, e
}

func withMethod(h map[string]string, method string) map[string]string {
	out := maps.Clone(h)
	out["X-Forwarded-Method"] = method
	return out
}

func TestGateDecisions(t *testing.T) {
	f := newFixture(t, Config{RateLimit: 1000})
	owner, viewer, logs := f.roles[0], f.roles[1], f.roles[2]
	for _, tt := range []struct {
		name   string
		header map[string]string
		peer   string
		status int
		code   string
	}{
		{"no key", map[string]string{}, "", 401, "UNAUTHORIZED"},
		{"a wrong key", f.creds("kwu_" + strings.Repeat("0", 38)), "", 401, "UNAUTHORIZED"},
		{"a deleted key", f.creds(owner.deleted), "", 401, "UNAUTHORIZED"},
		{"an Owner's POST", withMethod(f.creds(owner.key), "POST"), "", 204, ""},
		{"an Owner's DELETE", map[string]string{"x-api-key": f.accountKey, "x-api-secret-key": owner.key, "X-Original-Method": "DELETE"}, "", 204, ""},
		{"a Viewer's GET", withMethod(f.creds(viewer.key), "GET"), "", 204, ""},
		{"a Viewer's HEAD", withMethod(f.creds(viewer.key), "HEAD"), "", 204, ""},
		{"a Viewer's POST", withMethod(f.creds(viewer.key), "POST"), "", 403, "USER_INSUFFICIENT_ROLE"},
		{"a Logs Viewer's PUT", withMethod(f.creds(logs.key), "PUT"), "", 403, "USER_INSUFFICIENT_ROLE"},
		{"a restricted key from outside its list", f.creds(owner.restricted), "", 403, "SOURCE_IP_NOT_ALLOWED"},
		{"a restricted key forwarded from inside", merge(f.creds(owner.restricted), map[string]string{"X-Forwarded-For": allowedAddr}), trustedProxy, 204, ""},
		{"a restricted key with X-Real-IP from a trusted proxy", merge(f.creds(owner.restricted), map[string]string{"X-Real-IP": allowedAddr}), trustedProxy, 204, ""},
		{"X-Real-IP from an untrusted peer is ignored", merge(f.creds(owner.restricted), map[string]string{"X-Real-IP": allowedAddr}), "", 403, "SOURCE_IP_NOT_ALLOWED"},
	} {
		status, hdr, e := f.gate("GET", tt.peer, tt.header)
		if status != tt.status || e.Code != tt.code {
			t.Errorf("%s: %d %s (%s), want %d %s", tt.name, status, e.Code, e.Message, tt.status, tt.code)
			continue
		}
		if status == 204 {
			if hdr[headerGateUser] == "" || hdr[headerGateEmail] == "" || hdr[headerGateRole] == "" || hdr[headerGateKey] == "" || hdr["Content-Type"] != "" {
				t.Errorf("%s: identity headers %v", tt.name, hdr)
			}
			continue
		}
		var inHeader apiError
		if err := json.Unmarshal([]byte(hdr[headerGateError]), &inHeader); err != nil || inHeader != e {
			t.Errorf("%s: X-Keyward-Error %q, body %+v", tt.name, hdr[headerGateError], e)
		}
	}
	if _, hdr, _ := f.gate("GET", "", f.creds(viewer.key)); hdr[headerGateRole] != "Viewer" || hdr[headerGateKey] != "viewer-open-key" || hdr[headerGateEmail] != "viewer@example.com" {
		t.Fatalf("a Viewer's identity: %v", hdr)
	}
}

func merge(a, b map[string]string) map[string]string {
	out := maps.Clone(a)
	maps.Copy(out, b)
	return out
}

// TestGateStatusesAndLimits: a disabled and an expired key get their
// codes; the per-key rate limit is the API's, one budget for both; a
// gated request is a key's last use.
func TestGateStatusesAndLimits(t *testing.T) {
	f := newFixture(t, Config{RateLimit: 3})
	k, secret, err := f.store.CreateUserKeyWith(data.CommandLine, data.NewKey{Name: "gated-key-001", UserID: f.owner0().user.ID, ExpiresAt: f.clock.Now().Add(time.Hour)})
	must(t, err)
	if status, _, _ := f.gate("GET", "", f.creds(secret)); status != 204 {
		t.Fatalf("gate: %d", status)
	}
	if used, _ := f.store.UserKey(k.ID); used.LastUsedAt.IsZero() {
		t.Fatal("a gated request is not the key's last use")
	}
	if w := f.do(request{method: "GET", path: "/v1/", header: f.creds(secret)}); w.Code != 200 {
		t.Fatalf("API: %d", w.Code)
	}
	f.gate("GET", "", f.creds(secret))
	status, hdr, e := f.gate("GET", "", f.creds(secret))
	if status != 429 || e.Code != "RATE_LIMIT_EXCEEDED" || hdr["Retry-After"] == "" {
		t.Fatalf("the 4th request of a minute, through the API and the gate: %d %s %v", status, e.Code, hdr)
	}
	f.clock.Advance(time.Minute)
	_, err = f.store.DisableUserKey(data.CommandLine, k.ID)
	must(t, err)
	if _, _, e := f.gate("GET", "", f.creds(secret)); e.Code != "KEY_DISABLED" {
		t.Fatalf("disabled: %s", e.Code)
	}
	_, err = f.store.EnableUserKey(data.CommandLine, k.ID)
	must(t, err)
	f.clock.Advance(time.Hour)
	if _, _, e := f.gate("GET", "", f.creds(secret)); e.Code != "KEY_EXPIRED" {
		t.Fatalf("expired: %s", e.Code)
	}
}

// TestGateLogsRequestsWithoutKeys: the request log has the original
// method and URI, never a key; the system log has nothing of gated
// requests.
func TestGateLogsRequestsWithoutKeys(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	f := newFixture(t, Config{RequestLog: func(l string) { mu.Lock(); lines = append(lines, l); mu.Unlock() }})
	before, err := f.store.SystemLog(data.LogQuery{Limit: 1000})
	must(t, err)
	owner := f.owner0()
	f.gate("GET", "", merge(withMethod(f.creds(owner.key), "POST"), map[string]string{"X-Original-URI": "/orders?token=" + owner.key}))
	f.gate("GET", "", merge(f.creds("kwu_"+strings.Repeat("1", 38)), map[string]string{"X-Forwarded-Uri": "/reports"}))
	mu.Lock()
	got := strings.Join(lines, "\n")
	mu.Unlock()
	if !strings.Contains(got, `gate 204 POST "/orders?token=kwu_…`) || !strings.Contains(got, "key owner-open-key") ||
		!strings.Contains(got, `gate 401 GET "/reports" key -`) || strings.Contains(got, owner.key) {
		t.Fatalf("request log:\n%s", got)
	}
	after, err := f.store.SystemLog(data.LogQuery{Limit: 1000})
	must(t, err)
	if len(after) != len(before) {
		t.Fatal("gated requests reached the system log")
	}
}
