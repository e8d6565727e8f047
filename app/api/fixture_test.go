package api

import (
	"io"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"keyward/data"
	"keyward/data/badger"
	"keyward/data/clocktest"
)

// fixture is an account with a user of every role that can hold keys,
// each with an unrestricted key, a key restricted to 203.0.113.0/24 and a
// deleted key; the API is enabled; proxies in 10.0.0.0/8 are trusted.
type fixture struct {
	store      *data.Store
	h          *handler
	clock      *clocktest.Clock
	accountKey string
	owner      data.User
	member     data.User
	roles      []roleKeys
}

type roleKeys struct {
	role       data.Role
	user       data.User
	key        string // unrestricted
	restricted string // allowed from 203.0.113.0/24 only
	deleted    string
}

var (
	allowedNet    = "203.0.113.0/24"
	allowedAddr   = "203.0.113.5"
	outsideAddr   = "198.51.100.1"
	trustedProxy  = "10.1.2.3"
	trustedNet    = netip.MustParsePrefix("10.0.0.0/8")
	ownerPassword = "a long owner password"
)

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func newFixture(tb testing.TB, cfg Config) *fixture {
	tb.Helper()
	c := clocktest.New()
	s, err := badger.OpenStore(tb.TempDir(), data.Options{Now: c.Now, FlushInterval: time.Hour})
	must(tb, err)
	tb.Cleanup(func() { s.Close() })
	f := &fixture{store: s, clock: c}
	_, f.owner, err = s.Init(data.NewAccount{AccountName: "Acme", OwnerName: "Ada Owner", OwnerEmail: "ada@example.com", OwnerPassword: ownerPassword})
	must(tb, err)
	f.member, err = s.AddUser(data.CommandLine, data.NewUser{Name: "Max Member", Email: "max@example.com", Role: data.RoleMember})
	must(tb, err)
	_, err = s.SetAPIEnabled(data.CommandLine, true)
	must(tb, err)
	f.accountKey, err = s.AccountKey(data.CommandLine, data.ShowAccountKey)
	must(tb, err)
	for _, role := range []data.Role{data.RoleOwner, data.RoleViewer, data.RoleLogsViewer} {
		rk := roleKeys{role: role}
		slug := strings.Fields(strings.ToLower(string(role)))[0] // owner, viewer, logs
		if role == data.RoleOwner {
			rk.user = f.owner
		} else {
			rk.user, err = s.AddUser(data.CommandLine, data.NewUser{Name: string(role) + " user", Email: slug + "@example.com", Role: role})
			must(tb, err)
		}
		_, rk.key, err = s.CreateUserKey(data.CommandLine, slug+"-open-key", rk.user.ID)
		must(tb, err)
		k, restricted, err := s.CreateUserKey(data.CommandLine, slug+"-restricted", rk.user.ID)
		must(tb, err)
		_, err = s.AddCIDRRule(data.CommandLine, k.ID, allowedNet)
		must(tb, err)
		rk.restricted = restricted
		gone, deleted, err := s.CreateUserKey(data.CommandLine, slug+"-deleted-key", rk.user.ID)
		must(tb, err)
		must(tb, s.DeleteUserKey(data.CommandLine, gone.ID))
		rk.deleted = deleted
		f.roles = append(f.roles, rk)
	}
	if cfg.TrustedProxies == nil {
		cfg.TrustedProxies = []netip.Prefix{trustedNet}
	}
	cfg.Now = c.Now
	f.h = newHandler(s, cfg)
	return f
}

// request describes one call: where it comes from and what it carries.
type request struct {
	method, path string
	body         string
	peer         string            // the TCP peer's address; loopback if empty
	header       map[string]string // header values by name
}

func (f *fixture) do(r request) *httptest.ResponseRecorder {
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req := httptest.NewRequest(r.method, r.path, body)
	peer := r.peer
	if peer == "" {
		peer = "127.0.0.1"
	}
	req.RemoteAddr = netip.AddrPortFrom(netip.MustParseAddr(peer), 40000).String()
	for k, v := range r.header {
		req.Header.Add(k, v) // as net/http's server does, whatever the spelling on the wire
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, req)
	return w
}

// creds returns the two headers for a user key.
func (f *fixture) creds(userKey string) map[string]string {
	return map[string]string{"x-api-key": f.accountKey, "x-api-secret-key": userKey}
}
