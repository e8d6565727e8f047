package data

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

func TestSettingsValidate(t *testing.T) {
	good := []Settings{
		DefaultSettings(),
		{APIAddr: "0.0.0.0:443", RateLimit: 0},
		{APIAddr: "[::1]:8686", RateLimit: 1000},
		{APIAddr: ":8686", RateLimit: 10},
		{APIAddr: "127.0.0.1:0", RateLimit: 10},
		{APIAddr: "localhost:8686", RateLimit: 10, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}},
	}
	for _, s := range good {
		if err := s.Validate(); err != nil {
			t.Errorf("%+v: %v", s, err)
		}
	}
	bad := []struct {
		s   Settings
		msg string
	}{
		{Settings{APIAddr: "127.0.0.1"}, "write it as HOST:PORT"},
		{Settings{APIAddr: "127.0.0.1:70000"}, "from 1 to 65535"},
		{Settings{APIAddr: "127.0.0.1:http"}, "from 1 to 65535"},
		{Settings{APIAddr: "example.com:8686"}, "must be an IP address of this machine"},
		{Settings{APIAddr: DefaultAPIAddr, RateLimit: -1}, "from 0 (no limit)"},
		{Settings{APIAddr: DefaultAPIAddr, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.1/8")}}, "not a valid CIDR prefix"},
		{Settings{APIAddr: DefaultAPIAddr, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8")}}, "listed twice"},
	}
	for _, b := range bad {
		err := b.s.Validate()
		if err == nil || !strings.Contains(err.Error(), b.msg) || ErrorCode(err) != EInvalid {
			t.Errorf("%+v: %v, want %q", b.s, err, b.msg)
		}
	}
}

func TestParseProxies(t *testing.T) {
	got, err := ParseProxies(" 10.0.0.0/8, 192.168.1.1  fd00::/8 ")
	must(t, err)
	if ProxiesText(got) != "10.0.0.0/8, 192.168.1.1/32, fd00::/8" {
		t.Fatalf("ParseProxies = %v", got)
	}
	if got, err := ParseProxies(""); err != nil || got != nil {
		t.Fatalf("empty: %v, %v", got, err)
	}
	for in, msg := range map[string]string{"10.0.0.1/8": "did you mean 10.0.0.0/8?", "10.0.0.0/8,10.0.0.0/8": "listed twice", "proxy": "not a valid IP address"} {
		if _, err := ParseProxies(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: %v, want %q", in, err, msg)
		}
	}
}

func TestSetSettings(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		if got := f.s.Settings(); !reflect.DeepEqual(got, DefaultSettings()) {
			t.Fatalf("a new account's settings = %+v", got)
		}
		next := Settings{APIAddr: "0.0.0.0:9000", RateLimit: 60, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
		_, err := f.s.SetSettings(ActorFor(f.viewer), next)
		wantCode(t, err, EForbidden)
		before := takeSnapshot(t, f.s)
		_, err = f.s.SetSettings(CommandLine, Settings{APIAddr: "nowhere"})
		wantCode(t, err, EInvalid)
		if !reflect.DeepEqual(before, takeSnapshot(t, f.s)) || !reflect.DeepEqual(f.s.Settings(), DefaultSettings()) {
			t.Fatal("refused settings changed the store")
		}
		got, err := f.s.SetSettings(CommandLine, next)
		must(t, err)
		if !reflect.DeepEqual(got, next) {
			t.Fatalf("SetSettings = %+v", got)
		}
		log, _ := f.s.SystemLog(LogQuery{Limit: 1})
		if log[0].Type != EventSettingsChanged || !strings.Contains(log[0].Description, "listen address 0.0.0.0:9000 (was 127.0.0.1:8686); rate limit 60 a minute per key (was 400); trusted proxies \"10.0.0.0/8\" (was \"\")") {
			t.Fatalf("log = %+v", log[0])
		}
		s := reopen(t, f)
		if !reflect.DeepEqual(s.Settings(), next) {
			t.Fatalf("after reopening: %+v", s.Settings())
		}
	})
}
