package data

import (
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
)

// authFixture is the benchmark's store: 1,000 keys, the measured one with
// 20 CIDR rules of which only the last allows loopback.
func authFixture(tb testing.TB) (f *fixture, secret string) {
	f = newFixture(tb, diskStorage(tb, ""))
	for i := range 999 {
		f.createKey(tb, fmt.Sprintf("filler-key-%04d", i), []User{f.owner, f.viewer, f.logsViewer}[i%3])
	}
	k, secret := f.createKey(tb, "measured-key", f.owner)
	for i := range 19 {
		_, err := f.s.AddCIDRRule(CommandLine, k.ID, fmt.Sprintf("10.%d.0.0/16", i))
		must(tb, err)
	}
	_, err := f.s.AddCIDRRule(CommandLine, k.ID, "127.0.0.0/8")
	must(tb, err)
	return f, secret
}

func TestAuthenticateAllocatesNothing(t *testing.T) {
	f, secret := authFixture(t)
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := f.s.Authenticate(f.accountKey, secret, loopback); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("a successful authentication allocates %.1f times", allocs)
	}
}

// BenchmarkAuthenticate measures the hit path with 1,000 keys and 20 CIDR
// rules on the key, the last of which matches.
func BenchmarkAuthenticate(b *testing.B) {
	f, secret := authFixture(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.s.Authenticate(f.accountKey, secret, loopback); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthenticateParallel is the same from every core at once, as the
// REST API calls it.
func BenchmarkAuthenticateParallel(b *testing.B) {
	f, secret := authFixture(b)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := f.s.Authenticate(f.accountKey, secret, loopback); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkAuthenticateBaseline is what the hit path cannot avoid: the
// SHA-256 of the key. The ratio to it shows what the rest costs.
func BenchmarkAuthenticateBaseline(b *testing.B) {
	_, secret := authFixture(b)
	for b.Loop() {
		_ = HashKey(secret)
	}
}

// TestConcurrentAuthenticationAndChanges runs authentications, key
// deletions, rule changes and log reads at once, for the race detector,
// and checks that a deleted key never authenticates after DeleteUserKey
// returns.
func TestConcurrentAuthenticationAndChanges(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		type key struct {
			k       UserKey
			secret  string
			deleted atomic.Bool
		}
		keys := make([]*key, 20)
		for i := range keys {
			k, secret := f.createKey(t, fmt.Sprintf("concurrent-key-%02d", i), f.owner)
			keys[i] = &key{k: k, secret: secret}
		}
		var wg sync.WaitGroup
		stop := make(chan struct{})
		var violations atomic.Int32
		for w := range 4 {
			wg.Go(func() {
				for i := w; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					k := keys[i%len(keys)]
					wasDeleted := k.deleted.Load()
					_, err := f.s.Authenticate(f.accountKey, k.secret, netip.MustParseAddr("127.0.0.1"))
					if wasDeleted && err == nil {
						violations.Add(1)
					}
				}
			})
		}
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := f.s.SystemLog(LogQuery{Limit: 50}); err != nil {
					t.Error(err)
				}
				_ = f.s.UserKeys()
			}
		})
		for i, k := range keys {
			if i%2 == 0 {
				_, err := f.s.AddCIDRRule(CommandLine, k.k.ID, "127.0.0.0/8")
				must(t, err)
			}
			must(t, f.s.DeleteUserKey(CommandLine, k.k.ID))
			k.deleted.Store(true)
			must(t, f.s.FlushLastUsed())
		}
		close(stop)
		wg.Wait()
		if n := violations.Load(); n > 0 {
			t.Fatalf("%d requests authenticated with a key after its deletion returned", n)
		}
	})
}
