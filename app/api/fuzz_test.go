package api

import (
	"encoding/json"
	"keyward/data"
	"net/http/httptest"
	"net/url"
	"testing"
	"unicode/utf8"
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
