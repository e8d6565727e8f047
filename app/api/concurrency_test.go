package api

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"keyward/data"
)

// hammer sends requests with key from several clients at once until stop
// is closed, and counts the requests that succeeded although they were
// sent after revoked was set.
func hammer(t *testing.T, url, accountKey, key string, revoked *atomic.Bool, stop chan struct{}) (violations *atomic.Int64, wait func()) {
	violations = &atomic.Int64{}
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				wasRevoked := revoked.Load()
				req, _ := http.NewRequest("GET", url+"/v1/", nil)
				req.Header.Set("x-api-key", accountKey)
				req.Header.Set("x-api-secret-key", key)
				resp, err := client.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				if wasRevoked && resp.StatusCode == http.StatusOK {
					violations.Add(1)
				}
			}
		})
	}
	return violations, wg.Wait
}

// TestRevocationIsImmediate runs clients hammering a real server while a
// key is deleted, its user deleted, or its user demoted: no request sent
// after the change returned may succeed.
func TestRevocationIsImmediate(t *testing.T) {
	revocations := []struct {
		name   string
		revoke func(f *fixture, u data.User, k data.UserKey) error
	}{
		{"key deleted", func(f *fixture, u data.User, k data.UserKey) error {
			return f.store.DeleteUserKey(data.CommandLine, k.ID)
		}},
		{"user deleted", func(f *fixture, u data.User, k data.UserKey) error {
			_, err := f.store.DeleteUser(data.CommandLine, u.ID)
			return err
		}},
		{"user demoted", func(f *fixture, u data.User, k data.UserKey) error {
			member := data.RoleMember
			_, err := f.store.UpdateUser(data.CommandLine, u.ID, data.UserChange{Role: &member})
			return err
		}},
	}
	for _, rv := range revocations {
		t.Run(rv.name, func(t *testing.T) {
			f := newFixture(t, Config{RateLimit: 0})
			srv := httptest.NewServer(f.h)
			defer srv.Close()
			u, err := f.store.AddUser(data.CommandLine, data.NewUser{Name: "Target", Email: "target@example.com", Role: data.RoleViewer})
			must(t, err)
			k, key, err := f.store.CreateUserKey(data.CommandLine, "hammered-key", u.ID)
			must(t, err)
			var revoked atomic.Bool
			stop := make(chan struct{})
			violations, wait := hammer(t, srv.URL, f.accountKey, key, &revoked, stop)
			// Log reads at the same time, for the race detector.
			var readers sync.WaitGroup
			readers.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					w := f.do(request{method: "GET", path: "/v1/logs?limit=20", header: f.creds(f.owner0().key), peer: "192.0.2.10"})
					if w.Code != 200 {
						t.Errorf("log read: %d", w.Code)
					}
				}
			})
			time.Sleep(50 * time.Millisecond)
			must(t, rv.revoke(f, u, k))
			revoked.Store(true)
			time.Sleep(50 * time.Millisecond)
			close(stop)
			wait()
			readers.Wait()
			if n := violations.Load(); n > 0 {
				t.Fatalf("%d requests succeeded after the revocation returned", n)
			}
			// (From another address: the hammering clients' failures have
			// since blocked theirs.)
			w := f.do(request{method: "GET", path: "/v1/", header: f.creds(key), peer: "192.0.2.11"})
			if w.Code != http.StatusUnauthorized {
				t.Fatalf("after the revocation: %d", w.Code)
			}
		})
	}
}
