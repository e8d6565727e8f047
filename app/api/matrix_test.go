package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"keyward/data"
)

// endpoint is one operation of SPEC §3 as the matrix calls it.
type endpoint struct {
	method string
	path   func(f *fixture) string // a fresh path per call (DELETE needs its own user)
	body   string
	need   data.APIAccess
}

func endpoints(t *testing.T) []endpoint {
	fixed := func(p string) func(*fixture) string { return func(*fixture) string { return p } }
	freshUser := func(f *fixture) string {
		u, err := f.store.AddUser(data.CommandLine, data.NewUser{Name: "Temp", Email: fmt.Sprintf("temp-%d@example.com", time.Now().UnixNano()), Role: data.RoleMember})
		must(t, err)
		return fmt.Sprintf("/v1/users/%d", u.ID)
	}
	task := func(f *fixture) string {
		tk, err := f.store.NewTask("userUpdateRequest", "Update user")
		must(t, err)
		tk.Status = data.TaskCompleted
		must(t, f.store.SaveTask(tk))
		return "/v1/tasks/" + tk.ID.String()
	}
	return []endpoint{
		{"GET", fixed("/v1/"), "", data.APILogsOnly},
		{"GET", fixed("/v1/users"), "", data.APIReadOnly},
		{"GET", func(f *fixture) string { return fmt.Sprintf("/v1/users/%d", f.member.ID) }, "", data.APIReadOnly},
		{"PUT", func(f *fixture) string { return fmt.Sprintf("/v1/users/%d", f.member.ID) }, `{"name":"Max Member","role":"Member"}`, data.APIReadWrite},
		{"DELETE", freshUser, "", data.APIReadWrite},
		{"GET", fixed("/v1/tasks"), "", data.APIReadOnly},
		{"GET", task, "", data.APIReadOnly},
		{"GET", fixed("/v1/logs?offset=0&limit=5"), "", data.APILogsOnly},
		{"GET", fixed("/v1/session-logs?limit=5"), "", data.APIReadOnly},
	}
}

// credCase is a way of presenting credentials.
type credCase struct {
	name string
	// req fills in the headers and peer for role rk; want is the status
	// when the credentials are good enough for the endpoint's role check,
	// or 0 when the answer depends on the role.
	req  func(f *fixture, rk roleKeys) (map[string]string, string)
	want int
}

func credCases() []credCase {
	otherAccount, _ := data.NewAccountKey()
	strangerKey, _ := data.NewUserKey()
	return []credCase{
		{"no headers", func(f *fixture, rk roleKeys) (map[string]string, string) { return nil, "" }, 401},
		{"only the account key", func(f *fixture, rk roleKeys) (map[string]string, string) {
			return map[string]string{"x-api-key": f.accountKey}, ""
		}, 401},
		{"only the user key", func(f *fixture, rk roleKeys) (map[string]string, string) {
			return map[string]string{"X-API-SECRET-KEY": rk.key}, ""
		}, 401},
		{"wrong account key", func(f *fixture, rk roleKeys) (map[string]string, string) {
			return map[string]string{"x-api-key": otherAccount, "x-api-secret-key": rk.key}, ""
		}, 401},
		{"unknown user key", func(f *fixture, rk roleKeys) (map[string]string, string) { return f.creds(strangerKey), "" }, 401},
		{"truncated user key", func(f *fixture, rk roleKeys) (map[string]string, string) { return f.creds(rk.key[:len(rk.key)-3]), "" }, 401},
		{"malformed user key", func(f *fixture, rk roleKeys) (map[string]string, string) { return f.creds("let me in"), "" }, 401},
		{"deleted key", func(f *fixture, rk roleKeys) (map[string]string, string) { return f.creds(rk.deleted), "" }, 401},
		{"disallowed address", func(f *fixture, rk roleKeys) (map[string]string, string) { return f.creds(rk.restricted), outsideAddr }, 403},
		{"allowed address", func(f *fixture, rk roleKeys) (map[string]string, string) { return f.creds(rk.restricted), allowedAddr }, 0},
		{"spoofed X-Forwarded-For from an untrusted peer", func(f *fixture, rk roleKeys) (map[string]string, string) {
			h := f.creds(rk.restricted)
			h["X-Forwarded-For"] = allowedAddr
			return h, outsideAddr
		}, 403},
		{"forwarded by a trusted proxy", func(f *fixture, rk roleKeys) (map[string]string, string) {
			h := f.creds(rk.restricted)
			h["X-Forwarded-For"] = outsideAddr + ", " + allowedAddr
			return h, trustedProxy
		}, 0},
		{"unrestricted key", func(f *fixture, rk roleKeys) (map[string]string, string) { return f.creds(rk.key), "" }, 0},
	}
}

// TestMatrix calls every endpoint with every role's keys in every way of
// presenting them, checks the status, the error body and the rate-limit
// header, and validates every successful answer against the OpenAPI
// document.
func TestMatrix(t *testing.T) {
	f := newFixture(t, Config{RateLimit: data.DefaultRateLimit})
	c := loadContract(t)
	for _, ep := range endpoints(t) {
		for _, rk := range f.roles {
			for _, cc := range credCases() {
				name := fmt.Sprintf("%s %s/%s/%s", ep.method, ep.path(f), rk.role, cc.name)
				t.Run(name, func(t *testing.T) {
					f.clock.Advance(2 * time.Minute) // every case starts with full rate-limit buckets
					header, peer := cc.req(f, rk)
					r := request{method: ep.method, path: ep.path(f), body: ep.body, header: header, peer: peer}
					w := f.do(r)
					want := cc.want
					if want == 0 {
						want = http.StatusOK
						if rk.role.APIAccess() < ep.need {
							want = http.StatusForbidden
						}
					}
					if w.Code != want {
						t.Fatalf("status %d, want %d: %s", w.Code, want, w.Body)
					}
					authenticated := cc.want == 0
					if got := w.Header().Get("X-Rate-Limit-Remaining"); (got != "") != authenticated {
						t.Fatalf("X-Rate-Limit-Remaining = %q on a %d", got, w.Code)
					}
					if w.Code >= 300 {
						checkErrorBody(t, f, w.Body.Bytes(), want)
						return
					}
					c.check(t, r, w)
				})
			}
		}
	}
}

// checkErrorBody checks that an error answer is the JSON error object and
// echoes no secret.
func checkErrorBody(t *testing.T, f *fixture, body []byte, status int) {
	t.Helper()
	var e struct {
		Status  int    `json:"status"`
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Status != status || e.Code == "" || !strings.HasSuffix(e.Message, ".") {
		t.Fatalf("error body %s is not {status, code, message}", body)
	}
	secrets := []string{f.accountKey}
	for _, rk := range f.roles {
		secrets = append(secrets, rk.key, rk.restricted, rk.deleted, rk.key[:len(rk.key)-3])
	}
	for _, s := range secrets {
		if strings.Contains(string(body), s) || strings.Contains(string(body), s[4:20]) {
			t.Fatalf("the error body echoes a secret: %s", body)
		}
	}
}
