package api

import (
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"keyward/data"
)

// FuzzRequest sends arbitrary header values, paths and query strings: the
// API must never panic, never answer 500 and always answer JSON that
// echoes no secret.
func FuzzRequest(f *testing.F) {
	fx := newFixture(f, Config{RateLimit: data.DefaultRateLimit})
	good := fx.owner0().key
	f.Add(fx.accountKey, good, "", "/v1/logs", "limit=5&offset=2")
	f.Add(fx.accountKey, good, "203.0.113.5", "/v1/session-logs", "startTime=2026-01-01T00:00:00Z&endTime=2027-01-01T00:00:00Z")
	f.Add(fx.accountKey, good[:20], "1.1.1.1, 2.2.2.2", "/v1/users/1", "")
	f.Add("kwa_", "kwu_", "[::1]:80", "/v1/tasks/zzz", "resourceId=-1")
	f.Add(fx.accountKey, good, "not an ip", "/v1/logs", "limit=1e3&startTime=%zz")
	f.Add("", "\x00\xff", ",,,", "/v1/users/99999999999999999999", "offset=9223372036854775808")
	f.Fuzz(func(t *testing.T, accountKey, userKey, xff, path, rawQuery string) {
		u := &url.URL{Path: path, RawQuery: rawQuery}
		if path == "" || path[0] != '/' || !utf8.ValidString(path) {
			return // not a request path net/http would pass on
		}
		req := httptest.NewRequest("GET", "/", nil)
		req.URL, req.RequestURI = u, u.RequestURI()
		req.RemoteAddr = trustedProxy + ":1234"
		req.Header.Set("x-api-key", accountKey)
		req.Header.Set("x-api-secret-key", userKey)
		req.Header.Set("X-Forwarded-For", xff)
		fx.clock.Advance(10e9) // keep the rate limits out of the way
		w := httptest.NewRecorder()
		fx.h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s?%s: %d %s", path, rawQuery, w.Code, w.Body)
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("%s?%s: the body is not JSON: %q", path, rawQuery, w.Body)
		}
		if w.Code >= 400 {
			checkErrorBody(t, fx, w.Body.Bytes(), w.Code)
		}
	})
}

// FuzzUserUpdate feeds arbitrary bodies to the strict reader of
// AccountUserUpdateRequest: it must never panic; what it takes must be
// one JSON object of the document's fields, "name" among them, with the
// values encoding/json reads; what it refuses gets a sentence that
// repeats no key; and a body encoding/json reads into the fields may be
// refused only for a field given twice.
func FuzzUserUpdate(f *testing.F) {
	for _, body := range []string{
		`{"name": "Max", "role": "Viewer"}`, `{"name": "Max", "userId": 7, "commandType": "x"}`,
		`{"NAME": "Max"}`, `{"name": "a", "name": "b"}`, `{"name": "\u006b\u0077u_"}`, `{"n\u0061me": "x"}`,
		`{"name": 1}`, `{"name": "x", "userId": 1e3}`, `[]`, `{"name": "x"} {}`, `{"name": "x"`, ``, "{\"name\": \"\xff\"}",
	} {
		f.Add([]byte(body))
	}
	fields := map[string]bool{"name": true, "role": true, "userId": true, "commandType": true}
	f.Fuzz(func(t *testing.T, body []byte) {
		u, e := parseUserUpdate(body)
		var m map[string]json.RawMessage
		jsonErr := json.Unmarshal(body, &m)
		var plain struct {
			Name *string `json:"name"`
			Role *string `json:"role"`
		}
		if e == nil {
			if jsonErr != nil || m == nil || m["name"] == nil {
				t.Fatalf("%q was taken, but encoding/json reads %v (%v)", body, m, jsonErr)
			}
			for k := range m {
				if !fields[k] {
					t.Fatalf("%q was taken with the field %q", body, k)
				}
			}
			must(t, json.Unmarshal(body, &plain))
			if *plain.Name != u.Name || (plain.Role == nil) != (u.Role == nil) || (u.Role != nil && *plain.Role != *u.Role) {
				t.Fatalf("%q was read as %+v", body, u)
			}
			return
		}
		if e.Status != 400 || !strings.HasSuffix(e.Message, ".") || data.Redact(e.Message) != e.Message {
			t.Fatalf("%q: %+v", body, e)
		}
		if jsonErr == nil && m != nil && m["name"] != nil && json.Unmarshal(body, &plain) == nil {
			onlyStrings := true
			for k, v := range m {
				onlyStrings = onlyStrings && (k == "name" || k == "role") && len(v) > 0 && v[0] == '"'
			}
			if onlyStrings && !strings.Contains(e.Message, "more than once") {
				t.Fatalf("%q was refused: %s", body, e.Message)
			}
		}
	})
}
