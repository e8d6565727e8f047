package data

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// Settings are the account's REST API settings, shared by the console and
// `keyward serve`: where the API listens, how many requests a minute one
// user key may make, and which proxies' X-Forwarded-For headers are
// believed.
type Settings struct {
	APIAddr        string
	RateLimit      int // requests a minute per user key; 0 turns the limit off
	TrustedProxies []netip.Prefix
}

// Defaults, as Redis Cloud documents them.
const (
	DefaultAPIAddr   = "127.0.0.1:8686"
	DefaultRateLimit = 400
	maxRateLimit     = 1_000_000_000
)

// DefaultSettings are the settings of a new account.
func DefaultSettings() Settings {
	return Settings{APIAddr: DefaultAPIAddr, RateLimit: DefaultRateLimit}
}

// Validate checks each setting and says what to write instead.
func (s Settings) Validate() error {
	if err := ValidateListenAddr(s.APIAddr); err != nil {
		return err
	}
	if s.RateLimit < 0 || s.RateLimit > maxRateLimit {
		return Errorf(EInvalid, "The rate limit must be a number of requests a minute from 0 (no limit) to %d.", maxRateLimit)
	}
	for i, p := range s.TrustedProxies {
		if !p.IsValid() || p.Masked() != p || p.Addr().Zone() != "" {
			return Errorf(EInvalid, "Trusted proxy %d (%s) is not a valid CIDR prefix.", i+1, p)
		}
		if slices.Index(s.TrustedProxies[:i], p) >= 0 {
			return Errorf(EInvalid, "%s is listed twice among the trusted proxies.", p)
		}
	}
	return nil
}

// ValidateListenAddr checks an address to listen on: an IP address (or
// localhost, or nothing for every interface) and a port from 1 to 65535, or
// 0 for any free port (the API then says which it got).
func ValidateListenAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return Errorf(EInvalid, "%s is not an address to listen on: write it as HOST:PORT, such as 127.0.0.1:8686 (or [::1]:8686 for IPv6).", Quote(addr))
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return Errorf(EInvalid, "The port of %s must be a number from 1 to 65535 (or 0 for any free port).", Quote(addr))
	}
	if host != "" && host != "localhost" {
		if _, err := netip.ParseAddr(host); err != nil {
			return Errorf(EInvalid, "The host of %s must be an IP address of this machine (such as 127.0.0.1 or 0.0.0.0), or localhost.", Quote(addr))
		}
	}
	return nil
}

// ParseProxies reads a list of trusted proxies: CIDR rules (see ParseCIDR)
// separated by commas or spaces.
func ParseProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }) {
		p, err := ParseCIDR(part)
		if err != nil {
			return nil, err
		}
		if slices.Index(out, p) >= 0 {
			return nil, Errorf(EInvalid, "%s is listed twice among the trusted proxies.", p)
		}
		out = append(out, p)
	}
	return out, nil
}

// ProxiesText writes a list of proxies as ParseProxies reads it.
func ProxiesText(ps []netip.Prefix) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.String()
	}
	return strings.Join(parts, ", ")
}

// Settings returns the account's REST API settings.
func (s *Store) Settings() Settings {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.ix.settings
}

// SetSettings changes the REST API settings; only an Owner may.
func (s *Store) SetSettings(actor Actor, next Settings) (Settings, error) {
	if err := next.Validate(); err != nil {
		return Settings{}, err
	}
	err := s.change(actor, func(t *tx) error {
		prev := s.ix.settings
		var what []string
		if next.APIAddr != prev.APIAddr {
			what = append(what, fmt.Sprintf("listen address %s (was %s)", next.APIAddr, prev.APIAddr))
		}
		if next.RateLimit != prev.RateLimit {
			what = append(what, fmt.Sprintf("rate limit %d a minute per key (was %d)", next.RateLimit, prev.RateLimit))
		}
		if ProxiesText(next.TrustedProxies) != ProxiesText(prev.TrustedProxies) {
			what = append(what, fmt.Sprintf("trusted proxies %q (was %q)", ProxiesText(next.TrustedProxies), ProxiesText(prev.TrustedProxies)))
		}
		if len(what) == 0 {
			return nil
		}
		rec := settingsRecord{V: recordVersion, APIAddr: next.APIAddr, RateLimit: next.RateLimit}
		for _, p := range next.TrustedProxies {
			rec.TrustedProxies = append(rec.TrustedProxies, p.String())
		}
		if err := t.put(keySettings, rec); err != nil {
			return err
		}
		acctID := int64(0)
		if s.ix.account != nil {
			acctID = s.ix.account.ID
		}
		if err := t.log(ResourceAccount, acctID, EventSettingsChanged, "Changed the REST API settings: "+strings.Join(what, "; ")); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return Settings{}, err
	}
	return s.Settings(), nil
}

// applySettings puts a stored settings record, or nil for none, in ix.
func (ix *index) applySettings(v []byte) error {
	set := DefaultSettings()
	if v != nil {
		var rec settingsRecord
		if err := decode(v, &rec); err != nil {
			return err
		}
		set = Settings{APIAddr: rec.APIAddr, RateLimit: rec.RateLimit}
		for _, p := range rec.TrustedProxies {
			prefix, err := netip.ParsePrefix(p)
			if err != nil {
				return Errorf(EInternal, "The stored trusted proxy %q is damaged.", p)
			}
			set.TrustedProxies = append(set.TrustedProxies, prefix)
		}
	}
	ix.settings = set
	return nil
}
