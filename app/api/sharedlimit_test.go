package api

import (
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
)

// budget is a KeyLimiter every server of a test shares, as a Redis one is
// shared: perMinute requests a key, no refill.
type budget struct {
	mu   sync.Mutex
	used map[uuid.UUID]int
	down bool
}

func (b *budget) Take(key uuid.UUID, perMinute int) (bool, int, time.Duration, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.down {
		return false, 0, 0, errors.New("the shared store is unreachable")
	}
	if b.used[key] >= perMinute {
		return false, 0, 30 * time.Second, nil
	}
	b.used[key]++
	return true, perMinute - b.used[key], 0, nil
}

// TestSharedRateLimit: with a shared limiter, two servers of one store
// spend one budget per key; when the limiter cannot answer, each falls
// back to its own.
func TestSharedRateLimit(t *testing.T) {
	shared := &budget{used: map[uuid.UUID]int{}}
	f := newFixture(t, Config{RateLimit: 6, SharedLimiter: shared})
	other := newHandler(f.store, Config{RateLimit: 6, SharedLimiter: shared, Now: f.clock.Now})
	key := f.owner0().key
	codes := []int{}
	for i := range 8 {
		h := f.h
		if i%2 == 1 {
			h = other
		}
		f2 := *f
		f2.h = h
		codes = append(codes, f2.do(request{method: "GET", path: "/v1/", header: f.creds(key)}).Code)
	}
	want := []int{200, 200, 200, 200, 200, 200, 429, 429}
	for i := range want {
		if codes[i] != want[i] {
			t.Fatalf("the two servers answered %v, want %v: one budget of 6", codes, want)
		}
	}
	w := f.do(request{method: "GET", path: "/v1/", header: f.creds(key)})
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "30" {
		t.Fatalf("past the shared budget: %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
	// The shared store goes away: this server's own budget of 6 applies.
	shared.down = true
	for i := range 6 {
		if w := f.do(request{method: "GET", path: "/v1/", header: f.creds(key)}); w.Code != 200 {
			t.Fatalf("request %d with the shared limiter down: %d", i, w.Code)
		}
	}
	if w := f.do(request{method: "GET", path: "/v1/", header: f.creds(key)}); w.Code != http.StatusTooManyRequests {
		t.Fatalf("past this server's own budget: %d", w.Code)
	}
}
