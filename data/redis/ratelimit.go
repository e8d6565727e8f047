package redis

import (
	"context"
	"math"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/google/uuid"
	goredis "github.com/redis/go-redis/v9"
)

// RateLimiter keeps the per-key rate limit of every server of an account
// in one budget in Redis, so that N servers allow the configured number of
// requests a minute per key between them: `keyward serve
// --shared-rate-limit`. It is go-redis/redis_rate's GCRA, the same bucket
// each server keeps alone (a burst of a minute's requests, refilled evenly
// over the minute), on the Redis server's clock, so that the servers'
// clocks need not agree. It costs a round trip per request
// (BENCHMARKS.md); the API falls back to its own budget when it errs.
type RateLimiter struct {
	client  goredis.UniversalClient
	limiter *redis_rate.Limiter
	prefix  string
}

// takeTimeout bounds a request's wait for the shared budget: past it, the
// server decides alone.
const takeTimeout = time.Second

// NewRateLimiter connects to the store rawURL names (see ParseURL) for the
// shared rate limit of its account.
func NewRateLimiter(rawURL string) (*RateLimiter, error) {
	addr, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	o := addr.opts
	client := goredis.NewUniversalClient(&o)
	// redis_rate puts its "rate:" before the name; the account's hash tag
	// keeps the budgets in the account's Cluster slot.
	return &RateLimiter{client: client, limiter: redis_rate.NewLimiter(client), prefix: newLayout(addr.Account).ratePrefix}, nil
}

// Take spends one request of the key's budget of perMinute a minute.
func (l *RateLimiter) Take(key uuid.UUID, perMinute int) (ok bool, remaining int, retry time.Duration, err error) {
	if perMinute <= 0 {
		return true, math.MaxInt, 0, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), takeTimeout)
	defer cancel()
	res, err := l.limiter.Allow(ctx, l.prefix+key.String(), redis_rate.PerMinute(perMinute))
	if err != nil {
		return false, 0, 0, err
	}
	if res.Allowed > 0 {
		return true, res.Remaining, 0, nil
	}
	return false, 0, res.RetryAfter, nil
}

// Close disconnects.
func (l *RateLimiter) Close() error { return l.client.Close() }
