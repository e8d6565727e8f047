package api

import (
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"keyward/data"
)

// errorBody reads an error answer.
func errorBody(t *testing.T, body []byte) apiError {
	t.Helper()
	var e apiError
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("not an error body: %s", body)
	}
	return e
}

// TestKeyStatusCodes: a disabled, an expired and an inactive key are each
// a 401 with a code of its own and a message that says what to do; a
// rolled key's old value works during its grace period and is refused
// after, while the new one works throughout.
func TestKeyStatusCodes(t *testing.T) {
	f := newFixture(t, Config{})
	get := func(secret string) (int, apiError) {
		w := f.do(request{method: "GET", path: "/v1/", header: f.creds(secret)})
		if w.Code == 200 {
			return 200, apiError{}
		}
		return w.Code, errorBody(t, w.Body.Bytes())
	}
	owner := f.owner0()
	expect := func(secret string, status int, code, message string) {
		t.Helper()
		got, e := get(secret)
		if got != status || e.Code != code || !strings.Contains(e.Message, message) {
			t.Fatalf("got %d %s %q, want %d %s saying %q", got, e.Code, e.Message, status, code, message)
		}
	}

	k, disabled, err := f.store.CreateUserKey(data.CommandLine, "disabled-key-1", owner.user.ID)
	must(t, err)
	_, err = f.store.DisableUserKey(data.CommandLine, k.ID)
	must(t, err)
	expect(disabled, 401, "KEY_DISABLED", "ask an Owner to enable it")
	_, err = f.store.EnableUserKey(data.CommandLine, k.ID)
	must(t, err)
	expect(disabled, 200, "", "")

	_, expiring, err := f.store.CreateUserKeyWith(data.CommandLine, data.NewKey{Name: "expiring-key-1", UserID: owner.user.ID, ExpiresAt: f.clock.Now().Add(time.Minute)})
	must(t, err)
	expect(expiring, 200, "", "")
	f.clock.Advance(time.Minute)
	expect(expiring, 401, "KEY_EXPIRED", "ask an Owner to extend its expiry")

	viewer := f.viewer0()
	member := data.RoleMember
	_, err = f.store.UpdateUser(data.CommandLine, viewer.user.ID, data.UserChange{Role: &member})
	must(t, err)
	expect(viewer.key, 401, "KEY_INACTIVE", "inactive")

	rk, old, err := f.store.CreateUserKey(data.CommandLine, "rolled-key-01", owner.user.ID)
	must(t, err)
	_, next, err := f.store.RollUserKey(data.CommandLine, rk.ID, time.Hour)
	must(t, err)
	expect(old, 200, "", "")
	expect(next, 200, "", "")
	f.clock.Advance(time.Hour - time.Nanosecond)
	expect(old, 200, "", "")
	f.clock.Advance(time.Nanosecond)
	expect(old, 401, "UNAUTHORIZED", "its grace period has ended: use the key's new value")
	expect(next, 200, "", "")
	w := f.do(request{method: "GET", path: "/v1/", header: f.creds(old)})
	if strings.Contains(w.Body.String(), old) || strings.Contains(w.Body.String(), next) {
		t.Fatal("an answer repeats a key")
	}
}

// TestDisableUnderLoad: clients keep calling with a key while it is
// disabled; no request that starts after DisableUserKey returns is let
// through.
func TestDisableUnderLoad(t *testing.T) {
	f := newFixture(t, Config{})
	k, secret, err := f.store.CreateUserKey(data.CommandLine, "busy-key-0001", f.owner0().user.ID)
	must(t, err)
	var disabledAt atomic.Int64 // a sequence number: requests started after it must fail
	var seq atomic.Int64
	var late atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				n := seq.Add(1)
				after := disabledAt.Load() != 0 && n > disabledAt.Load()
				w := f.do(request{method: "GET", path: "/v1/", header: f.creds(secret)})
				if after && w.Code == 200 {
					late.Add(1)
				}
			}
		})
	}
	time.Sleep(20 * time.Millisecond)
	_, err = f.store.DisableUserKey(data.CommandLine, k.ID)
	must(t, err)
	disabledAt.Store(seq.Add(1))
	time.Sleep(20 * time.Millisecond)
	close(stop)
	wg.Wait()
	if n := late.Load(); n > 0 {
		t.Fatalf("%d requests started after the key was disabled were let through", n)
	}
	if seq.Load() < disabledAt.Load()+10 {
		t.Fatalf("too few requests after the change to tell (%d)", seq.Load()-disabledAt.Load())
	}
}
