package redis

import (
	"slices"
	"strings"
	"testing"

	"keyward/data"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		url      string
		location string
		account  string
		addrs    []string
		db       int
		user     string
		password string
		master   string
		cluster  bool
		tls      bool
	}{
		{url: "redis://localhost", location: "redis://localhost:6379 (account default)", account: "default", addrs: []string{"localhost:6379"}},
		{url: "redis://127.0.0.1:6380/2?account=team-1", location: "redis://127.0.0.1:6380/2 (account team-1)", account: "team-1", addrs: []string{"127.0.0.1:6380"}, db: 2},
		{url: "redis://alice:s3cret@redis.example.com:6379/0?account=Acme_2", location: "redis://alice@redis.example.com:6379 (account Acme_2)",
			account: "Acme_2", addrs: []string{"redis.example.com:6379"}, user: "alice", password: "s3cret"},
		{url: "redis://:s3cret@host:1", location: "redis://host:1 (account default)", account: "default", addrs: []string{"host:1"}, password: "s3cret"},
		{url: "redis://:p%40ss%2Fw%3Frd@host", location: "redis://host:6379 (account default)", account: "default", addrs: []string{"host:6379"}, password: "p@ss/w?rd"},
		{url: "rediss://cache.example.net:6380?account=a", location: "rediss://cache.example.net:6380 (account a)", account: "a", addrs: []string{"cache.example.net:6380"}, tls: true},
		{url: "redis://[::1]:7000/1", location: "redis://[::1]:7000/1 (account default)", account: "default", addrs: []string{"[::1]:7000"}, db: 1},
		{url: "redis://h/?db=3", location: "redis://h:6379/3 (account default)", account: "default", addrs: []string{"h:6379"}, db: 3},
		{url: "redis://n1:7000?addr=n2:7001&addr=n3:7002&account=c", location: "redis://n1:7000?addr=n2:7001&addr=n3:7002 (account c)",
			account: "c", addrs: []string{"n1:7000", "n2:7001", "n3:7002"}, cluster: true},
		{url: "redis://n1?addr=n2", location: "redis://n1:6379?addr=n2:6379 (account default)", account: "default", addrs: []string{"n1:6379", "n2:6379"}, cluster: true},
		{url: "redis://config.example.com:6379?cluster=true", location: "redis://config.example.com:6379?cluster=true (account default)",
			account: "default", addrs: []string{"config.example.com:6379"}, cluster: true},
		{url: "redis://:pw@s1:26379/4?master=mymaster&addr=s2:26379&sentinel_password=sp&account=x", location: "redis://s1:26379/4?addr=s2:26379&master=mymaster (account x)",
			account: "x", addrs: []string{"s1:26379", "s2:26379"}, db: 4, password: "pw", master: "mymaster"},
		{url: "redis://s1:26379?master_name=mymaster", location: "redis://s1:26379?master=mymaster (account default)",
			account: "default", addrs: []string{"s1:26379"}, master: "mymaster"},
		{url: "unix:///run/redis/redis.sock?account=team&db=0", location: "unix:///run/redis/redis.sock (account team)", account: "team", addrs: []string{"/run/redis/redis.sock"}},
		{url: "unix://bob:pw@/tmp/r.sock?db=5", location: "unix://bob@/tmp/r.sock?db=5 (account default)", account: "default", addrs: []string{"/tmp/r.sock"}, db: 5, user: "bob", password: "pw"},
	}
	for _, tt := range tests {
		a, err := ParseURL(tt.url)
		if err != nil {
			t.Errorf("ParseURL(%q): %v", tt.url, err)
			continue
		}
		o := a.opts
		if a.String() != tt.location || a.Account != tt.account {
			t.Errorf("ParseURL(%q) = %q, account %q; want %q, account %q", tt.url, a, a.Account, tt.location, tt.account)
		}
		if !slices.Equal(o.Addrs, tt.addrs) || o.DB != tt.db || o.Username != tt.user || o.Password != tt.password ||
			o.MasterName != tt.master || o.IsClusterMode != tt.cluster || (o.TLSConfig != nil) != tt.tls {
			t.Errorf("ParseURL(%q) options: addrs %q, db %d, user %q, password %q, master %q, cluster %v, TLS %v",
				tt.url, o.Addrs, o.DB, o.Username, o.Password, o.MasterName, o.IsClusterMode, o.TLSConfig != nil)
		}
		if o.DialTimeout+o.ReadTimeout > 5e9 || o.MaxRetries != -1 {
			t.Errorf("ParseURL(%q): dial timeout %v, read timeout %v, %d retries: an unreachable server must be an error within 5 s, a batch sent once",
				tt.url, o.DialTimeout, o.ReadTimeout, o.MaxRetries)
		}
	}
	if a, _ := ParseURL("redis://h?master=m&sentinel_username=sentry&sentinel_password=sp"); a.opts.SentinelUsername != "sentry" || a.opts.SentinelPassword != "sp" {
		t.Errorf("the sentinels' credentials are %q, %q", a.opts.SentinelUsername, a.opts.SentinelPassword)
	}
}

func TestParseURLRefuses(t *testing.T) {
	const secret = "Hunter2pw"
	tests := []struct {
		url  string
		want string // in the message
	}{
		{"", "No store URL was given: write redis://[user:password@]host:port/DB?account=NAME."},
		{"   ", "No store URL was given"},
		{"localhost:6379", `The store URL "localhost:6379" does not start with redis://`},
		{"http://u:" + secret + "@host", `The store URL "http://u@host" starts with "http://": write redis://`},
		{"//host:6379", "has no scheme"},
		{"redis://u:" + secret + "@host:port", "The store URL cannot be read. If its password has / ? # @ or % in it, write them as %2F %3F %23 %40 %25"},
		{"redis://u:Hun/ter2pw@host", "The store URL cannot be read. If its password"},
		{"redis://u:Hunter2?pw@host", "The store URL cannot be read. If its password"},
		{"redis://u:6379/Hunter2pw@host", "The store URL has an @ after its host. If its password has / ? # @ or % in it"},
		{"redis://:" + secret + "@", "has no server address"},
		{"redis://host:0", `The server address "host:0" in the store URL "redis://host:0" is not host:port`},
		{"redis://host:99999", "is not host:port"},
		{"redis://host/x", `The database "x" in the store URL "redis://host/x" is not a database number`},
		{"redis://host/1/2", "is not a database number"},
		{"redis://host/-1", "is not a database number"},
		{"redis://host/01", "is not a database number"},
		{"redis://host/1?db=2", `names two databases, "1" and "2"`},
		{"redis://host?account=", `The account "" in the store URL "redis://host?account=" is not a valid name: use 1 to 64 letters, digits, - or _`},
		{"redis://host?account=a%7Db", `The account "a}b"`},
		{"redis://host?account=" + strings.Repeat("a", 65), "is not a valid name"},
		{"redis://host?account=a&account=b", "gives account more than once"},
		{"redis://:" + secret + "@host?acount=x", `has the parameter "acount", which Keyward does not know: it knows account, addr, master`},
		{"redis://host?account=x&password=" + secret, `The store URL "redis://host?account=x&password=..." has the parameter "password", which Keyward does not know`},
		{"unix:///tmp/r.sock?account=x&password=" + secret, `"unix:///tmp/r.sock?account=x&password=..."`},
		{"redis://host?addr=h2:x", `The addr parameter "h2:x" in the store URL "redis://host?addr=h2:x" is not host:port`},
		{"redis://host?addr=:6379", `The addr parameter ":6379" in the store URL`},
		{"redis://host/2?addr=h2:1", "names database 2 of a Cluster, which has only database 0"},
		{"redis://host?cluster=yes", "is neither true nor false"},
		{"redis://host?master=", "has an empty master name"},
		{"redis://host?master=a&master_name=b", `names two Sentinel masters, "a" and "b"`},
		{"redis://host?master=a&cluster=true", "names a Sentinel master and a Cluster"},
		{"redis://host?sentinel_password=" + secret, "has sentinel_password but no master=NAME"},
		{"unix://host/redis.sock", "names no socket by its full path: write unix:///path/to/redis.sock?account=NAME."},
		{"unix://", "names no socket by its full path"},
		{"unix:///tmp/r.sock?addr=h:1", "is a local socket, which takes no addr parameter"},
		{"redis://host#frag", "has a fragment"},
		{"redis://host?%zz", "cannot be read"},
	}
	for _, tt := range tests {
		_, err := ParseURL(tt.url)
		if data.ErrorCode(err) != data.EInvalid || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseURL(%q) = %v (code %q), want an invalid error saying %q", tt.url, err, data.ErrorCode(err), tt.want)
			continue
		}
		for _, part := range []string{secret, "Hun", "ter2", "pw@"} {
			if strings.Contains(err.Error(), part) {
				t.Errorf("ParseURL(%q) = %q, which repeats the password", tt.url, err)
			}
		}
	}
}

// FuzzParseURL: whatever else the URL holds, neither a message nor the
// location repeats its password, nor a sentinel's.
func FuzzParseURL(f *testing.F) {
	for _, seed := range [][3]string{
		{"redis", "pw", "h:1/0?account=a"}, {"rediss", "p/w", "h"}, {"unix", "pw", "/s?db=1"},
		{"redis", "p%zz", "h"}, {"redis", "p@w", "h:x"}, {"http", "pw", "h"}, {"redis", "pw", "h/1/2"},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	const marker = "Zq9Xk"
	f.Fuzz(func(t *testing.T, scheme, password, rest string) {
		if strings.Contains(scheme+rest, marker[:3]) {
			return
		}
		check := func(raw string) {
			a, err := ParseURL(raw)
			shown := a.String()
			if err != nil {
				shown = err.Error()
			}
			if strings.Contains(shown, marker) {
				t.Fatalf("ParseURL(%q) says %q, which repeats the password", raw, shown)
			}
		}
		check(scheme + "://u:" + marker + password + "@" + rest)
		if !strings.ContainsAny(rest, "?#") {
			check(scheme + "://" + rest + "?master=m&sentinel_password=" + marker + password)
		}
	})
}
