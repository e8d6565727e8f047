package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"keyward/data"
)

// The gate (SPEC §3.1): /gate answers reverse proxies' sub-requests
// (nginx auth_request, Caddy forward_auth, Traefik ForwardAuth, Envoy
// ext_authz) for the team's own services, with the API's authentication,
// allow lists, statuses, failure limit and per-key rate limit, and
// data.Role.MayUseGated for the request's original method.

// gatePath is where the gate answers, whatever the method.
const gatePath = "/gate"

// The headers of the gate's answers.
const (
	// The identity of an allowed request, for the proxy to pass upstream.
	headerGateUser  = "X-Keyward-User"
	headerGateEmail = "X-Keyward-Email"
	headerGateRole  = "X-Keyward-Role"
	headerGateKey   = "X-Keyward-Key"
	// headerGateError repeats a refusal's JSON body in a header, for
	// proxies that pass on the status of the sub-request but not its body
	// (nginx: auth_request_set, then return it from error_page).
	headerGateError = "X-Keyward-Error"
	// headerGateStatus is a refusal's status, for the same proxies.
	headerGateStatus = "X-Keyward-Status"
	// headerRefuseAs, sent by the proxy, asks for every refusal as this
	// status (403), its own in headerGateStatus: nginx's auth_request
	// takes only 401 and 403 from a sub-request, and turns a 429 into a
	// 500.
	headerRefuseAs = "X-Keyward-Refuse-As"
)

// originalMethod is the method of the request the proxy asks about: the
// one it forwards, or the sub-request's own.
func originalMethod(r *http.Request) string {
	for _, h := range []string{"X-Forwarded-Method", "X-Original-Method"} {
		if m := r.Header.Get(h); m != "" {
			return m
		}
	}
	return r.Method
}

// originalURI is the URI of the request the proxy asks about, for the
// request log, or "".
func originalURI(r *http.Request) string {
	for _, h := range []string{"X-Original-URI", "X-Forwarded-Uri"} {
		if u := r.Header.Get(h); u != "" {
			return u
		}
	}
	return ""
}

// serveGate answers an authenticated gate request: 204 with the identity
// headers if the key's role may use the original method, 403 if not.
func (h *handler) serveGate(w http.ResponseWriter, r *http.Request, p data.Principal) {
	method := originalMethod(r)
	if !p.Role.MayUseGated(method) {
		h.gateRefuse(w, r, &apiError{Status: http.StatusForbidden, Code: "USER_INSUFFICIENT_ROLE",
			Message: "A key of a " + string(p.Role) + " user may only read (GET and HEAD) through the gate; this request is a " +
				strconv.Quote(method) + ": use a key of an Owner."})
		return
	}
	hdr := w.Header()
	hdr[headerGateUser] = []string{p.UserName}
	hdr[headerGateEmail] = []string{p.UserEmail}
	hdr[headerGateRole] = []string{string(p.Role)}
	hdr[headerGateKey] = []string{p.KeyName}
	delete(hdr, headerContentType)
	w.WriteHeader(http.StatusNoContent)
	h.logGate(r, method, http.StatusNoContent, p.KeyName)
}

// gateRefuse answers a refused gate request: the API's error, its body
// repeated in headerGateError.
func (h *handler) gateRefuse(w http.ResponseWriter, r *http.Request, e *apiError) {
	if b, err := json.Marshal(e); err == nil {
		w.Header()[headerGateError] = []string{string(redactJSON(b))}
	}
	w.Header()[headerGateStatus] = []string{strconv.Itoa(e.Status)}
	h.logGate(r, originalMethod(r), e.Status, "")
	if r.Header.Get(headerRefuseAs) == "403" && e.Status != http.StatusUnauthorized && e.Status != http.StatusForbidden {
		as := *e
		as.Status = http.StatusForbidden
		if e.retryAfter > 0 {
			w.Header().Set("Retry-After", retrySeconds(e.retryAfter))
		}
		writeJSON(w, as.Status, e) // the body keeps the true status
		return
	}
	writeError(w, e)
}

// logGate writes the request log line of a gate decision, where serve
// keeps one (Config.RequestLog): the original method and URI, never a
// key.
func (h *handler) logGate(r *http.Request, method string, status int, keyName string) {
	if h.cfg.RequestLog == nil {
		return
	}
	uri := originalURI(r)
	if uri == "" {
		uri = "-"
	}
	if keyName == "" {
		keyName = "-"
	}
	h.cfg.RequestLog("gate " + strconv.Itoa(status) + " " + data.Redact(method) + " " + strconv.Quote(data.Redact(uri)) + " key " + keyName)
}
