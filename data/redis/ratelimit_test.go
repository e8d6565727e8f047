package redis

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"keyward/data/redis/redistest"
)

// TestRateLimiterIsOneBudget: two servers' limiters on one account spend
// one key's budget between them, a burst of a minute's requests and then
// one every 60/N seconds; another key and another account have their own.
func TestRateLimiterIsOneBudget(t *testing.T) {
	srv := redistest.Shared(t)
	account := redistest.Account()
	limiters := make([]*RateLimiter, 2)
	for i := range limiters {
		l, err := NewRateLimiter(srv.URL(account))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		limiters[i] = l
	}
	key := uuid.New()
	for i := range 6 {
		ok, remaining, _, err := limiters[i%2].Take(key, 6)
		if err != nil || !ok || remaining != 5-i {
			t.Fatalf("request %d of 6: ok %v, remaining %d, %v; want ok, remaining %d", i+1, ok, remaining, err, 5-i)
		}
	}
	for _, l := range limiters {
		ok, remaining, retry, err := l.Take(key, 6)
		if err != nil || ok || remaining != 0 || retry <= 9*time.Second || retry > 10*time.Second {
			t.Fatalf("the 7th request: ok %v, remaining %d, retry %v, %v; want refused, retry about 10 s", ok, remaining, retry, err)
		}
	}
	if ok, _, _, err := limiters[0].Take(uuid.New(), 6); err != nil || !ok {
		t.Fatalf("another key: ok %v, %v", ok, err)
	}
	other, err := NewRateLimiter(srv.URL(redistest.Account()))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if ok, _, _, err := other.Take(key, 6); err != nil || !ok {
		t.Fatalf("the same key id on another account: ok %v, %v", ok, err)
	}
}

// TestRateLimiterKeysCarryTheAccount: the budgets are kept under
// rate:keyward:{NAME}: (redis_rate's prefix before the account's), in
// the account's Cluster slot, and expire.
func TestRateLimiterKeysCarryTheAccount(t *testing.T) {
	srv := redistest.Shared(t)
	account := redistest.Account()
	l, err := NewRateLimiter(srv.URL(account))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	key := uuid.New()
	if _, _, _, err := l.Take(key, 60); err != nil {
		t.Fatal(err)
	}
	keys, err := l.client.Keys(t.Context(), "*"+key.String()+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0] != "rate:keyward:{"+account+"}:"+key.String() {
		t.Fatalf("the budget is kept in %q, want one key rate:keyward:{%s}:%s", keys, account, key)
	}
	ttl, err := l.client.PTTL(t.Context(), keys[0]).Result()
	if err != nil || ttl <= 0 || ttl > 1100*time.Millisecond+time.Second {
		t.Fatalf("the budget expires in %v (%v), want about a second: it is full again then", ttl, err)
	}
}

func TestRateLimiterUnreachable(t *testing.T) {
	l, err := NewRateLimiter("redis://127.0.0.1:1?account=x")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, _, _, err := l.Take(uuid.New(), 6); err == nil {
		t.Fatal("Take on an unreachable server did not fail")
	}
}
