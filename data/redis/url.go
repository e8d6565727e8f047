package redis

import (
	"cmp"
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"keyward/data"
)

// URLForm is how a store URL is written, for messages that say what to
// write instead.
const URLForm = "redis://[user:password@]host:port/DB?account=NAME"

// DefaultAccount is the account a store URL without an account parameter
// names.
const DefaultAccount = "default"

// Address is a parsed store URL: the Redis servers, the credentials and the
// account whose records live under the key prefix keyward:{Account}:.
type Address struct {
	// Account names the account's records in Redis.
	Account string
	// location is the URL without its secrets, and the account.
	location string
	opts     goredis.UniversalOptions
}

// String returns the URL without its password, and the account: where the
// records live, for people.
func (a Address) String() string { return a.location }

// The client's timeouts keep every call within what a person waits for: a
// server that cannot be reached, or that stops answering, is an error in
// under five seconds, never a hang.
const (
	dialTimeout = 2 * time.Second
	ioTimeout   = 3 * time.Second
)

// accountName is what an account parameter may be: it becomes part of
// every key, inside the hash tag.
var accountName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// The query parameters a store URL may have.
const (
	paramAccount          = "account"
	paramAddr             = "addr"
	paramMaster           = "master"
	paramMasterName       = "master_name" // go-redis's name for master
	paramDB               = "db"
	paramCluster          = "cluster"
	paramSentinelUsername = "sentinel_username"
	paramSentinelPassword = "sentinel_password"
)

var knownParams = []string{paramAccount, paramAddr, paramMaster, paramMasterName, paramDB, paramCluster, paramSentinelUsername, paramSentinelPassword}

// ParseURL checks a store URL and says, if it is wrong, what to write
// instead; the message never repeats a password. The forms are
//
//	redis://[user:password@]host:port/DB?account=NAME     one server
//	rediss://…                                             the same over TLS
//	redis://…@host:port?addr=host:port&addr=…               a Redis Cluster, by two or more of its nodes
//	redis://…@host:port/DB?master=NAME&addr=host:port&…     Sentinel: the sentinels, and the master's name
//	unix://[user:password@]/path/redis.sock?db=DB&account=NAME
//
// The port defaults to 6379, DB to 0 and the account to DefaultAccount. The
// user and password are those of the servers that hold the data; sentinels
// that want their own are given sentinel_username and sentinel_password.
// cluster=true makes one address a Cluster's (a configuration endpoint).
// master_name, go-redis's name for master, is accepted too.
func ParseURL(rawURL string) (Address, error) {
	if strings.TrimSpace(rawURL) == "" {
		return Address{}, invalidURL("No store URL was given: write " + URLForm + ".")
	}
	u, err := url.Parse(rawURL)
	switch {
	case err != nil && strings.Contains(rawURL, "@"):
		// Most likely a password with a character that ends it early: it
		// would show in part, so nothing of the URL does.
		return Address{}, invalidURL("The store URL cannot be read. If its password has / ? # @ or % in it, write them as %2F %3F %23 %40 %25; the form is " + URLForm + ".")
	case err != nil:
		return Address{}, invalidURL(fmt.Sprintf("The store URL %s is not a URL: write %s.", data.Quote(data.URLWithoutSecrets(rawURL)), URLForm))
	case u.Opaque != "":
		return Address{}, invalidURL(fmt.Sprintf("The store URL %s does not start with redis://: write %s.", data.Quote(data.URLWithoutSecrets(rawURL)), URLForm))
	case strings.Contains(u.Path+u.RawQuery+u.Fragment, "@"):
		return Address{}, invalidURL("The store URL has an @ after its host. If its password has / ? # @ or % in it, write them as %2F %3F %23 %40 %25; the form is " + URLForm + ".")
	}
	shown := data.Quote(redacted(u))
	switch u.Scheme {
	case "redis", "rediss", "unix":
	case "":
		return Address{}, invalidURL(fmt.Sprintf("The store URL %s has no scheme: write %s (rediss:// for TLS, unix:///path for a local socket).", shown, URLForm))
	default:
		return Address{}, invalidURL(fmt.Sprintf("The store URL %s starts with %s: write %s (rediss:// for TLS, unix:///path for a local socket).", shown, data.Quote(u.Scheme+"://"), URLForm))
	}
	if u.Fragment != "" {
		return Address{}, invalidURL(fmt.Sprintf("The store URL %s has a fragment (#…): write %s.", shown, URLForm))
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return Address{}, invalidURL(fmt.Sprintf("The parameters of the store URL %s cannot be read: write them as ?account=NAME&addr=host:port.", shown))
	}
	p := params{q: q, shown: shown}
	for name := range q {
		if !slices.Contains(knownParams, name) {
			return Address{}, invalidURL(fmt.Sprintf("The store URL %s has the parameter %s, which Keyward does not know: it knows %s.", shown, data.Quote(name), strings.Join(knownParams, ", ")))
		}
	}

	a := Address{Account: DefaultAccount}
	if v, ok, err := p.single(paramAccount); err != nil {
		return Address{}, err
	} else if ok {
		if !accountName.MatchString(v) {
			return Address{}, invalidURL(fmt.Sprintf("The account %s in the store URL %s is not a valid name: use 1 to 64 letters, digits, - or _, as in ?account=team-1.", data.Quote(v), shown))
		}
		a.Account = v
	}
	o := goredis.UniversalOptions{
		DialTimeout:  dialTimeout,
		ReadTimeout:  ioTimeout,
		WriteTimeout: ioTimeout,
		PoolTimeout:  ioTimeout,
		// One attempt per call: a batch is never sent twice (Commit makes
		// sure of what happened itself), and an outage is reported at once
		// rather than after rounds of retries.
		MaxRetries:    -1,
		DialerRetries: 1,
		// Keyward needs none of the maintenance notices a managed service
		// may push, and a server that does not know the command would only
		// make noise.
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	}
	if u.User != nil {
		o.Username = u.User.Username()
		o.Password, _ = u.User.Password()
	}

	db, err := p.database(u)
	if err != nil {
		return Address{}, err
	}
	o.DB = db

	var show url.URL // the location: the URL as given, without secrets and account
	show.Scheme = u.Scheme
	if o.Username != "" {
		show.User = url.User(o.Username)
	}
	showQuery := url.Values{}

	if u.Scheme == "unix" {
		if u.Host != "" || !strings.HasPrefix(u.Path, "/") || len(u.Path) < 2 {
			return Address{}, invalidURL(fmt.Sprintf("The store URL %s names no socket by its full path: write unix:///path/to/redis.sock?account=NAME.", shown))
		}
		for _, name := range []string{paramAddr, paramMaster, paramMasterName, paramCluster, paramSentinelUsername, paramSentinelPassword} {
			if q.Has(name) {
				return Address{}, invalidURL(fmt.Sprintf("The store URL %s is a local socket, which takes no %s parameter: use redis:// for Sentinel or a Cluster.", shown, name))
			}
		}
		o.Addrs = []string{u.Path}
		show.Path = u.Path
		if db != 0 {
			showQuery.Set(paramDB, strconv.Itoa(db))
		}
		show.RawQuery = showQuery.Encode()
		a.location = location(show, a.Account)
		a.opts = o
		return a, nil
	}

	first, err := p.address(u.Host, "server address")
	if err != nil {
		return Address{}, err
	}
	o.Addrs = []string{first}
	for _, addr := range q[paramAddr] {
		addr, err := p.address(addr, "addr parameter")
		if err != nil {
			return Address{}, err
		}
		o.Addrs = append(o.Addrs, addr)
		showQuery.Add(paramAddr, addr)
	}
	show.Host = first
	if db != 0 {
		show.Path = "/" + strconv.Itoa(db)
	}
	if u.Scheme == "rediss" {
		host, _, _ := net.SplitHostPort(first)
		o.TLSConfig = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}

	master, err := p.master()
	if err != nil {
		return Address{}, err
	}
	cluster, err := p.flag(paramCluster)
	if err != nil {
		return Address{}, err
	}
	switch {
	case master != "" && cluster:
		return Address{}, invalidURL(fmt.Sprintf("The store URL %s names a Sentinel master and a Cluster: give master=NAME for Sentinel, or cluster=true, not both.", shown))
	case master != "":
		o.MasterName = master
		showQuery.Set(paramMaster, master)
		if o.SentinelUsername, _, err = p.single(paramSentinelUsername); err != nil {
			return Address{}, err
		}
		if o.SentinelPassword, _, err = p.single(paramSentinelPassword); err != nil {
			return Address{}, err
		}
		if o.SentinelUsername != "" {
			showQuery.Set(paramSentinelUsername, o.SentinelUsername)
		}
	default:
		for _, name := range []string{paramSentinelUsername, paramSentinelPassword} {
			if q.Has(name) {
				return Address{}, invalidURL(fmt.Sprintf("The store URL %s has %s but no master=NAME: the sentinels' credentials go with Sentinel's master name.", shown, name))
			}
		}
		if cluster || len(o.Addrs) > 1 {
			if db != 0 {
				return Address{}, invalidURL(fmt.Sprintf("The store URL %s names database %d of a Cluster, which has only database 0: leave the database out.", shown, db))
			}
			o.IsClusterMode = true
			if cluster {
				showQuery.Set(paramCluster, "true")
			}
		}
	}
	show.RawQuery = showQuery.Encode()
	a.location = location(show, a.Account)
	a.opts = o
	return a, nil
}

// location is how Location shows the store: its URL, with the addresses
// in the query as they are written (host:port, not host%3Aport), and the
// account.
func location(u url.URL, account string) string {
	u.RawQuery = strings.NewReplacer("%3A", ":", "%5B", "[", "%5D", "]").Replace(u.RawQuery)
	return u.String() + " (account " + account + ")"
}

// params reads the query parameters of a store URL.
type params struct {
	q     url.Values
	shown string // the URL, quoted and without its password
}

// single returns the value of a parameter that may be given once.
func (p params) single(name string) (string, bool, error) {
	vs, ok := p.q[name]
	switch {
	case !ok:
		return "", false, nil
	case len(vs) > 1:
		return "", false, invalidURL(fmt.Sprintf("The store URL %s gives %s more than once: give it once.", p.shown, name))
	}
	return vs[0], true, nil
}

// database returns the database number, from the path (/DB) or the db
// parameter (go-redis's form for a socket).
func (p params) database(u *url.URL) (int, error) {
	fromPath := ""
	if u.Scheme != "unix" {
		fromPath = strings.Trim(u.Path, "/")
	}
	fromParam, _, err := p.single(paramDB)
	if err != nil {
		return 0, err
	}
	if fromPath != "" && fromParam != "" && fromPath != fromParam {
		return 0, invalidURL(fmt.Sprintf("The store URL %s names two databases, %s and %s: give one.", p.shown, data.Quote(fromPath), data.Quote(fromParam)))
	}
	s := cmp.Or(fromPath, fromParam)
	if s == "" {
		return 0, nil
	}
	db, err := strconv.Atoi(s)
	if err != nil || db < 0 || db > 1<<20 || strconv.Itoa(db) != s {
		return 0, invalidURL(fmt.Sprintf("The database %s in the store URL %s is not a database number: write /0, /1 … after host:port (?db=N for a socket), or leave it out for 0.", data.Quote(s), p.shown))
	}
	return db, nil
}

// address checks a host:port and gives it in the form the client dials,
// the port 6379 if there is none.
func (p params) address(hostport, what string) (string, error) {
	if hostport == "" {
		return "", invalidURL(fmt.Sprintf("The store URL %s has no server address: write %s.", p.shown, URLForm))
	}
	host, port := hostport, "6379"
	if h, pt, err := net.SplitHostPort(hostport); err == nil {
		host, port = h, pt
	} else if strings.HasPrefix(hostport, "[") && strings.HasSuffix(hostport, "]") {
		host = hostport[1 : len(hostport)-1]
	}
	n, err := strconv.Atoi(port)
	if host == "" || strings.ContainsAny(host, "[]/@ ") || err != nil || n < 1 || n > 65535 {
		return "", invalidURL(fmt.Sprintf("The %s %s in the store URL %s is not host:port: write it as redis.example.com:6379 or 10.0.0.5:6379.", what, data.Quote(hostport), p.shown))
	}
	return net.JoinHostPort(host, strconv.Itoa(n)), nil
}

// master returns the Sentinel master's name, given as master or
// master_name.
func (p params) master() (string, error) {
	m, _, err := p.single(paramMaster)
	if err != nil {
		return "", err
	}
	alias, _, err := p.single(paramMasterName)
	if err != nil {
		return "", err
	}
	if m != "" && alias != "" && m != alias {
		return "", invalidURL(fmt.Sprintf("The store URL %s names two Sentinel masters, %s and %s: give master=NAME once.", p.shown, data.Quote(m), data.Quote(alias)))
	}
	m = cmp.Or(m, alias)
	if (p.q.Has(paramMaster) || p.q.Has(paramMasterName)) && strings.TrimSpace(m) == "" {
		return "", invalidURL(fmt.Sprintf("The store URL %s has an empty master name: write master=NAME, the name the sentinels know the master by.", p.shown))
	}
	return m, nil
}

// flag returns a parameter that is true or false.
func (p params) flag(name string) (bool, error) {
	v, ok, err := p.single(name)
	if err != nil || !ok {
		return false, err
	}
	switch v {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, invalidURL(fmt.Sprintf("The parameter %s=%s in the store URL %s is neither true nor false: write %s=true.", name, data.Quote(v), p.shown, name))
}

func invalidURL(msg string) error { return &data.Error{Code: data.EInvalid, Message: msg} }

// redacted returns u as text without its password, nor a sentinel's.
func redacted(u *url.URL) string {
	c := *u
	c.Fragment, c.RawFragment = "", ""
	if c.User != nil {
		c.User = url.User(c.User.Username())
		if c.User.Username() == "" {
			c.User = nil
		}
	}
	// A parameter Keyward does not know may be a password too
	// (?password= is how other clients take one): only the values of the
	// known ones that hold no secret are shown.
	if _, err := url.ParseQuery(c.RawQuery); err != nil {
		c.RawQuery = ""
	}
	var shown []string
	for part := range strings.SplitSeq(c.RawQuery, "&") {
		name, _, _ := strings.Cut(part, "=")
		name, _ = url.QueryUnescape(name)
		switch {
		case part == "" || name == paramSentinelPassword:
		case slices.Contains(knownParams, name):
			shown = append(shown, part)
		default:
			shown = append(shown, url.QueryEscape(name)+"="+hiddenValue)
		}
	}
	c.RawQuery = strings.Join(shown, "&")
	return c.String()
}

// hiddenValue stands for the value of a parameter a shown URL leaves out.
const hiddenValue = "..."
