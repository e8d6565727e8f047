// Package api serves the account's REST API: the subset of the Redis Cloud
// API v1 that Keyward implements, with every request authenticated by the
// keys package data manages.
package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"

	"keyward/data"
)

// Config is what the REST API is served with.
type Config struct {
	// Addr is the address to listen on; data.DefaultAPIAddr if empty.
	Addr string
	// RateLimit is how many requests a minute one user key may make; 0
	// turns the limit off.
	RateLimit int
	// TrustedProxies are the proxies whose X-Forwarded-For headers are
	// believed. A request from anywhere else is judged by its TCP peer.
	TrustedProxies []netip.Prefix
	// TLSCert and TLSKey are PEM files; with both set the API is served
	// over HTTPS.
	TLSCert, TLSKey string
	// Now is the clock of the rate limits; nil means time.Now.
	Now func() time.Time
	// RequestLog, when set, receives a line for each decision of the gate
	// (serve's request log); nil logs nothing.
	RequestLog func(line string)
	// SharedLimiter, when set, keeps the per-key rate limit in one budget
	// for every server of a shared store (serve --shared-rate-limit)
	// instead of one per process.
	SharedLimiter KeyLimiter
}

// KeyLimiter spends one request of a key's budget of perMinute requests a
// minute, wherever the budget is kept. It reports whether there was one,
// how many are left, and, when there was none, how long until there is;
// an error when it cannot tell (its store is unreachable).
type KeyLimiter interface {
	Take(key uuid.UUID, perMinute int) (ok bool, remaining int, retry time.Duration, err error)
}

// ConfigFrom returns the configuration of the account's settings.
func ConfigFrom(s data.Settings) Config {
	return Config{Addr: s.APIAddr, RateLimit: s.RateLimit, TrustedProxies: s.TrustedProxies}
}

// Failed authentications from one client network (failNet): a burst of
// failBurst, then failPerMinute a minute. Only failures are counted and
// only failures are refused, so a client whose credentials are valid is
// never slowed down by another one at its address (SPEC §3).
const (
	failBurst      = 10
	failPerMinute  = 10
	maxFailClients = 100_000
)

// maxBody bounds request bodies; the largest valid one is a few hundred
// bytes.
const maxBody = 64 << 10

// handler authenticates, rate-limits and routes every request.
type handler struct {
	store   *data.Store
	cfg     Config
	trusted []netip.Prefix
	mux     *http.ServeMux

	keyLimits  *limiterSet[uuid.UUID]    // nil when RateLimit is 0; with a shared limiter, the fallback
	failLimits *limiterSet[netip.Prefix] // failed authentications per failNet
	root       rootCache                 // encoded GET /v1/ answers
}

// NewHandler returns the REST API as an http.Handler over store.
func NewHandler(store *data.Store, cfg Config) http.Handler { return newHandler(store, cfg) }

func newHandler(store *data.Store, cfg Config) *handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	h := &handler{store: store, cfg: cfg, trusted: cfg.TrustedProxies, mux: http.NewServeMux(),
		failLimits: newLimiterSet[netip.Prefix](failPerMinute, failBurst, maxFailClients)}
	if cfg.RateLimit > 0 {
		h.keyLimits = newLimiterSet[uuid.UUID](cfg.RateLimit, cfg.RateLimit, math.MaxInt)
	}
	h.routes()
	return h
}

// caller is the authenticated request's principal and address. It reaches
// the endpoints with the ResponseWriter, which costs no allocation, where a
// request context would copy the request. ServeHTTP hands the mux a pooled
// caller only for a request that authenticated, so every handler behind it
// gets one and route() can assert it; the caller is cleared once the
// request is answered, so an endpoint must not keep it
// (TestCallerIsTheRequestsOwn, TestCallersDoNotCross).
type caller struct {
	http.ResponseWriter
	data.Principal
	addr netip.Addr
}

var callers = sync.Pool{New: func() any { return new(caller) }}

// Header names as net/http stores them, so that reading and setting them
// needs no canonicalisation.
const (
	headerAccountKey  = "X-Api-Key"
	headerSecretKey   = "X-Api-Secret-Key"
	headerRemaining   = "X-Rate-Limit-Remaining"
	headerContentType = "Content-Type"
)

// jsonContentType is shared by every answer; net/http only reads it.
var jsonContentType = []string{"application/json"}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header()[headerContentType] = jsonContentType
	gate := r.URL.Path == gatePath
	refuse := writeError
	if gate {
		refuse = func(w http.ResponseWriter, e *apiError) { h.gateRefuse(w, r, e) }
	}
	addr, aerr := clientAddr(r, h.trusted)
	if aerr != nil {
		refuse(w, aerr)
		return
	}
	// The credentials are checked first: valid ones always pass, and a
	// failure costs a token of its network's bucket only.
	now := h.cfg.Now()
	p, err := h.authenticate(r, addr)
	if err != nil {
		if data.ErrorCode(err) == data.EForbidden {
			refuse(w, &apiError{Status: http.StatusForbidden, Code: "SOURCE_IP_NOT_ALLOWED",
				Message: data.ErrorMessage(err) + " The request came from " + addr.String() + "."})
			return
		}
		if ok, _, retry := h.failLimits.take(failNet(addr), now); !ok {
			refuse(w, tooManyFailures(retry))
			return
		}
		code := "UNAUTHORIZED"
		switch err {
		case data.ErrAPIDisabled:
			code = "API_DISABLED"
		case data.ErrDisabledUserKey:
			code = "KEY_DISABLED"
		case data.ErrExpiredUserKey:
			code = "KEY_EXPIRED"
		case data.ErrInactiveUserKey:
			code = "KEY_INACTIVE"
		}
		refuse(w, &apiError{Status: http.StatusUnauthorized, Code: code, Message: data.ErrorMessage(err)})
		return
	}
	if h.keyLimits != nil {
		ok, remaining, retry := h.takeKeyBudget(p.KeyID, now)
		w.Header()[headerRemaining] = []string{strconv.Itoa(remaining)}
		if !ok {
			refuse(w, &apiError{Status: http.StatusTooManyRequests, Code: "RATE_LIMIT_EXCEEDED", retryAfter: retry,
				Message: "This API user key has made more than " + strconv.Itoa(h.cfg.RateLimit) +
					" requests in a minute: wait " + retrySeconds(retry) + " s and slow down."})
			return
		}
	}
	if gate {
		h.serveGate(w, r, p)
		return
	}
	if !isClean(r.URL.Path) {
		redirectToClean(w, r)
		return
	}
	c := callers.Get().(*caller)
	*c = caller{ResponseWriter: w, Principal: p, addr: addr}
	h.mux.ServeHTTP(c, r)
	*c = caller{}
	callers.Put(c)
}

// takeKeyBudget spends one request of the key's rate limit: from the
// shared budget when there is one and it answers, else from this
// process's, so that an outage of the shared store never refuses a valid
// key more than one server would.
func (h *handler) takeKeyBudget(key uuid.UUID, now time.Time) (bool, int, time.Duration) {
	if h.cfg.SharedLimiter != nil {
		if ok, remaining, retry, err := h.cfg.SharedLimiter.Take(key, h.cfg.RateLimit); err == nil {
			return ok, remaining, retry
		}
	}
	return h.keyLimits.take(key, now)
}

// failNet is the network whose failed authentications are counted
// together: an IPv4 address, or the /64 of an IPv6 address, since one host
// or site usually holds a whole /64 and could otherwise use a fresh
// address for every try.
func failNet(a netip.Addr) netip.Prefix {
	a = a.Unmap()
	bits := 32
	if a.Is6() {
		bits = 64
	}
	p, _ := a.Prefix(bits) // a is a valid address: clientAddr read it
	return p
}

// authenticate checks the request's key headers, each sent at most once:
// which of two is meant is not for Keyward to guess.
func (h *handler) authenticate(r *http.Request, addr netip.Addr) (data.Principal, error) {
	accountKeys, secretKeys := r.Header[headerAccountKey], r.Header[headerSecretKey]
	if len(accountKeys) > 1 || len(secretKeys) > 1 {
		return data.Principal{}, errKeyHeaderTwice
	}
	return h.store.Authenticate(first(accountKeys), first(secretKeys), addr)
}

// errKeyHeaderTwice refuses a request that sends a key header more than
// once.
var errKeyHeaderTwice = &data.Error{Code: data.EUnauthenticated,
	Message: "The request sends x-api-key or x-api-secret-key more than once: send each key header once."}

// first returns a header's first value, or "".
func first(values []string) string {
	if len(values) == 0 {
		return ""
	}
	return values[0]
}

func tooManyFailures(retry time.Duration) *apiError {
	return &apiError{Status: http.StatusTooManyRequests, Code: "TOO_MANY_FAILED_AUTHENTICATIONS", retryAfter: retry,
		Message: "Too many requests from this address failed to authenticate: check the keys they send, and wait " +
			retrySeconds(retry) + " s before trying again. Requests with valid keys are not held up."}
}

// retrySeconds rounds a wait up to whole seconds, as Retry-After takes it.
func retrySeconds(d time.Duration) string {
	return strconv.Itoa(max(1, int(math.Ceil(d.Seconds()))))
}

// apiError is the JSON body of every error: the HTTP status, a stable
// machine code and a message for a person. It never holds a secret.
type apiError struct {
	Status     int    `json:"status"`
	Code       string `json:"code"`
	Message    string `json:"message"`
	retryAfter time.Duration
}

func writeError(w http.ResponseWriter, e *apiError) {
	if e.retryAfter > 0 {
		w.Header().Set("Retry-After", retrySeconds(e.retryAfter))
	}
	writeJSON(w, e.Status, e)
}

// dataError turns an error of package data into an API error.
func dataError(err error) *apiError {
	status, code := http.StatusInternalServerError, "INTERNAL_ERROR"
	switch data.ErrorCode(err) {
	case data.EInvalid:
		status, code = http.StatusBadRequest, "BAD_REQUEST"
	case data.ENotFound:
		status, code = http.StatusNotFound, "NOT_FOUND"
	case data.EConflict:
		status, code = http.StatusConflict, "CONFLICT"
	case data.EForbidden:
		status, code = http.StatusForbidden, "FORBIDDEN"
	case data.EUnauthenticated:
		status, code = http.StatusUnauthorized, "UNAUTHORIZED"
	case data.EUnavailable:
		// What failed where (a socket's path, a disk's error) is for the
		// server's log and its administrators, not for every client.
		if errors.Is(err, data.ErrUnreachable) {
			return &apiError{Status: http.StatusServiceUnavailable, Code: "STORAGE_UNAVAILABLE", retryAfter: 5 * time.Second,
				Message: "The account's shared store cannot be reached for now: nothing was changed; try again shortly."}
		}
		return &apiError{Status: http.StatusServiceUnavailable, Code: "STORAGE_UNAVAILABLE",
			Message: "The account's storage failed: nothing was changed, and changes are refused until an administrator fixes it and restarts Keyward."}
	}
	return &apiError{Status: status, Code: code, Message: data.ErrorMessage(err)}
}

func badRequest(msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "BAD_REQUEST", Message: msg}
}

// writeJSON answers v, encoded, with every key in it redacted: a last
// line of defence, since error messages quote what clients send and
// names and log entries hold what they set.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"status":500,"code":"INTERNAL_ERROR","message":"The answer could not be encoded."}`)
	}
	w.WriteHeader(status)
	w.Write(append(redactJSON(b), '\n'))
}

// redactJSON reduces every run in encoded JSON that has the form of a key
// to its hint (data.Redact). Such a run lies within one string, since
// encoding/json escapes none of its characters and none is structural, so
// the JSON stays valid.
func redactJSON(b []byte) []byte {
	if !bytes.Contains(b, []byte(data.UserKeyPrefix)) && !bytes.Contains(b, []byte(data.AccountKeyPrefix)) {
		return b // the common case, without copying b into a string
	}
	return []byte(data.Redact(string(b)))
}

// route wraps the endpoint of pattern: it refuses callers whose role's
// access is below need.
func route(pattern string, need data.APIAccess, serve func(http.ResponseWriter, *http.Request, *caller) *apiError) http.HandlerFunc {
	endpoint := endpointName(pattern)
	return func(w http.ResponseWriter, r *http.Request) {
		c := w.(*caller)
		if c.Role.APIAccess() < need {
			writeError(w, &apiError{Status: http.StatusForbidden, Code: "USER_INSUFFICIENT_ROLE",
				Message: "A key of a " + string(c.Role) + " user may not " + endpoint + "."})
			return
		}
		if e := serve(w, r, c); e != nil {
			writeError(w, e)
		}
	}
}
