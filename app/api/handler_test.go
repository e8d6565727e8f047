package api

import (
	"fmt"
	"net/http"
	"net/netip"
	"sync"
	"testing"

	"keyward/data"
)

// probe registers GET /v1/probe through route(), as the endpoints are, on
// f's handler. It answers with the caller's key name and address, and hands
// the *caller it was given to seen, so a test can look at it afterwards.
func (f *fixture) probe(seen func(*caller)) {
	f.h.mux.Handle("GET /v1/probe", route("GET /v1/probe", data.APILogsOnly, func(w http.ResponseWriter, r *http.Request, c *caller) *apiError {
		if seen != nil {
			seen(c)
		}
		writeJSON(w, http.StatusOK, map[string]string{"key": c.KeyName, "addr": c.addr.String()})
		return nil
	}))
}

// TestCallerIsTheRequestsOwn pins what the pooled caller promises the
// endpoints: each sees the principal and address its own request was
// authenticated with, and the caller is cleared once the request is
// answered, so no principal outlives its request or reaches the next one.
func TestCallerIsTheRequestsOwn(t *testing.T) {
	f := newFixture(t, Config{})
	var got *caller
	f.probe(func(c *caller) { got = c })
	peer := netip.MustParseAddr(allowedAddr)
	for _, rk := range f.roles {
		for _, key := range []string{rk.key, rk.restricted} {
			want, err := f.store.Authenticate(f.accountKey, key, peer)
			must(t, err)
			got = nil
			w := f.do(request{method: "GET", path: "/v1/probe", header: f.creds(key), peer: allowedAddr})
			if w.Code != 200 || got == nil {
				t.Fatalf("%s: %d %s", want.KeyName, w.Code, w.Body)
			}
			if w.Body.String() != fmt.Sprintf(`{"addr":%q,"key":%q}`+"\n", allowedAddr, want.KeyName) {
				t.Errorf("%s: the endpoint saw %s", want.KeyName, w.Body)
			}
			if *got != (caller{}) {
				t.Errorf("%s: the caller still holds %+v after the request", want.KeyName, *got)
			}
		}
	}

	// A request that does not authenticate never reaches an endpoint.
	got = nil
	if w := f.do(request{method: "GET", path: "/v1/probe"}); w.Code != http.StatusUnauthorized || got != nil {
		t.Fatalf("without keys: %d, endpoint reached %v", w.Code, got != nil)
	}
}

// TestCallersDoNotCross sends requests with different keys at once: each
// endpoint must see its own request's key, whichever pooled caller it got.
func TestCallersDoNotCross(t *testing.T) {
	f := newFixture(t, Config{})
	f.probe(nil)
	type client struct{ key, want string }
	var clients []client
	for _, rk := range f.roles {
		for _, key := range []string{rk.key, rk.restricted} {
			p, err := f.store.Authenticate(f.accountKey, key, netip.MustParseAddr(allowedAddr))
			must(t, err)
			clients = append(clients, client{key, fmt.Sprintf(`{"addr":%q,"key":%q}`+"\n", allowedAddr, p.KeyName)})
		}
	}
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Go(func() {
			for range 200 {
				w := f.do(request{method: "GET", path: "/v1/probe", header: f.creds(c.key), peer: allowedAddr})
				if w.Code != 200 || w.Body.String() != c.want {
					t.Errorf("want %s, got %d %s", c.want, w.Code, w.Body)
					return
				}
			}
		})
	}
	wg.Wait()
}
