package api

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// benchRequest is GET /v1/ with the Owner's key from loopback.
func benchRequest(f *fixture) *http.Request {
	req := httptest.NewRequest("GET", "/v1/", nil)
	req.RemoteAddr = "127.0.0.1:40000"
	req.Header.Set("x-api-key", f.accountKey)
	req.Header.Set("x-api-secret-key", f.owner0().key)
	return req
}

// discard is a ResponseWriter that keeps nothing, so that the benchmark
// measures the handler rather than a recorder.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// BenchmarkGetAccount is the handler's share of an authenticated GET /v1/.
func BenchmarkGetAccount(b *testing.B) {
	f := newFixture(b, Config{RateLimit: 1 << 30})
	req := benchRequest(f)
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		f.h.ServeHTTP(w, req)
	}
}

// BenchmarkBareHandler is the baseline: writing the same bytes with no
// authentication, as bench/bare does.
func BenchmarkBareHandler(b *testing.B) {
	f := newFixture(b, Config{RateLimit: 1 << 30})
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, benchRequest(f))
	body := rec.Body.Bytes()
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	req := benchRequest(f)
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		bare.ServeHTTP(w, req)
	}
}
