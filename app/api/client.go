package api

import (
	"net/http"
	"net/netip"
	"strings"
)

// errBadForwardedFor is returned when a trusted proxy passes on an
// X-Forwarded-For header with an entry that is not an address.
var errBadForwardedFor = &apiError{Status: http.StatusBadRequest, Code: "BAD_REQUEST",
	Message: "The X-Forwarded-For header holds an entry that is not an IP address."}

// clientAddr returns the address a request comes from: the TCP peer, or,
// when the peer is a trusted proxy, the right-most X-Forwarded-For address
// that is not itself a trusted proxy. IPv4-mapped IPv6 addresses are
// unmapped and zones dropped, so allow lists see plain addresses.
func clientAddr(r *http.Request, trusted []netip.Prefix) (netip.Addr, *apiError) {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}, &apiError{Status: http.StatusBadRequest, Code: "BAD_REQUEST", Message: "The client address could not be read."}
	}
	addr := plain(peer.Addr())
	if !isTrusted(addr, trusted) {
		return addr, nil
	}
	values := r.Header.Values("X-Forwarded-For")
	if len(values) == 0 {
		// nginx's usual proxy_set_header X-Real-IP $remote_addr: the
		// address the trusted proxy received the request from.
		if real := strings.TrimSpace(r.Header.Get("X-Real-IP")); real != "" {
			a, ok := parseHop(real)
			if !ok {
				return netip.Addr{}, errBadForwardedFor
			}
			return a, nil
		}
	}
	// Walk the hops from the nearest: each trusted proxy appended the
	// address it received the request from.
	for i := len(values) - 1; i >= 0; i-- {
		hops := strings.Split(values[i], ",")
		for j := len(hops) - 1; j >= 0; j-- {
			hop := strings.TrimSpace(hops[j])
			if hop == "" {
				continue
			}
			a, ok := parseHop(hop)
			if !ok {
				return netip.Addr{}, errBadForwardedFor
			}
			addr = a
			if !isTrusted(a, trusted) {
				return a, nil
			}
		}
	}
	return addr, nil // every hop was a trusted proxy: the farthest one is the client
}

// parseHop accepts the forms proxies write: an address, optionally with a
// port ("203.0.113.7:4711", "[2001:db8::1]:4711").
func parseHop(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return plain(a), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return plain(ap.Addr()), true
	}
	return netip.Addr{}, false
}

func plain(a netip.Addr) netip.Addr { return a.Unmap().WithZone("") }

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
