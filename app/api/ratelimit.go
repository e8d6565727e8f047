package api

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiterSet is a token bucket per key (a user key's id, a client address),
// created on first use. Buckets that have refilled since their last use are
// idle and are evicted, so the set stays small however many keys pass;
// when it still reaches max entries, a tenth of them go at random.
type limiterSet[K comparable] struct {
	limit rate.Limit
	burst int
	max   int

	mu        sync.Mutex
	m         map[K]*limiterEntry
	nextSweep int
}

type limiterEntry struct {
	lim      *rate.Limiter
	lastUsed time.Time
}

// minSweep is the size below which the set is not swept.
const minSweep = 1024

func newLimiterSet[K comparable](perMinute, burst, max int) *limiterSet[K] {
	return &limiterSet[K]{limit: rate.Limit(float64(perMinute) / 60), burst: burst, max: max,
		m: map[K]*limiterEntry{}, nextSweep: minSweep}
}

// refill is how long an unused bucket takes to fill up again.
func (s *limiterSet[K]) refill() time.Duration {
	return time.Duration(float64(s.burst) / float64(s.limit) * float64(time.Second))
}

// take spends one token of k's bucket. It reports whether there was one,
// how many are left and, when there was none, how long until there is.
func (s *limiterSet[K]) take(k K, now time.Time) (ok bool, remaining int, retry time.Duration) {
	s.mu.Lock()
	e := s.m[k]
	if e == nil {
		s.makeRoom(now)
		e = &limiterEntry{lim: rate.NewLimiter(s.limit, s.burst)}
		s.m[k] = e
	}
	e.lastUsed = now
	ok = e.lim.AllowN(now, 1)
	tokens := e.lim.TokensAt(now)
	s.mu.Unlock()
	if !ok {
		return false, 0, s.wait(tokens)
	}
	return true, int(math.Max(0, math.Floor(tokens))), 0
}

func (s *limiterSet[K]) wait(tokens float64) time.Duration {
	return time.Duration((1 - tokens) / float64(s.limit) * float64(time.Second))
}

// makeRoom sweeps idle buckets when the set has grown, and evicts at random
// when it is full of busy ones. The caller holds s.mu.
func (s *limiterSet[K]) makeRoom(now time.Time) {
	if len(s.m) < s.nextSweep && len(s.m) < s.max {
		return
	}
	s.sweep(now)
	if len(s.m) >= s.max {
		drop := max(1, s.max/10)
		for k := range s.m { // map order is random
			delete(s.m, k)
			if drop--; drop == 0 {
				break
			}
		}
	}
	s.nextSweep = max(minSweep, 2*len(s.m))
}

// sweep evicts the buckets that have been idle long enough to be full.
// The caller holds s.mu.
func (s *limiterSet[K]) sweep(now time.Time) {
	idle := s.refill()
	for k, e := range s.m {
		if now.Sub(e.lastUsed) >= idle {
			delete(s.m, k)
		}
	}
}

func (s *limiterSet[K]) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}
