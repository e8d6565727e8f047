package data

import (
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// MaxCIDRRules bounds the allow list of one key, which keeps both the
// console dialog and the per-request check small.
const MaxCIDRRules = 100

// cidrExample is appended to messages about malformed input.
const cidrExample = "Enter an IPv4 or IPv6 prefix such as 203.0.113.0/24 or 2001:db8::/32, or a single address."

// ParseCIDR parses one allow-list entry as an administrator types it: a
// prefix in CIDR notation or a bare address, which becomes a single-host
// prefix (/32 or /128). Surrounding spaces are ignored. It refuses, with a
// message that says what to write instead, zones, IPv4-mapped IPv6 forms,
// and prefixes with host bits set.
func ParseCIDR(input string) (netip.Prefix, error) {
	s := strings.TrimSpace(input)
	if s == "" {
		return netip.Prefix{}, Errorf(EInvalid, "The CIDR rule is empty. %s", cidrExample)
	}
	if strings.ContainsRune(s, '%') {
		return netip.Prefix{}, Errorf(EInvalid, "%s has an IPv6 zone (the part after %%): allow-list rules cannot name a zone; remove it.", Quote(s))
	}
	addrPart, bitsPart, hasBits := strings.Cut(s, "/")
	addr, err := netip.ParseAddr(addrPart)
	if err != nil {
		return netip.Prefix{}, Errorf(EInvalid, "%s is not a valid IP address or CIDR prefix (%s). %s", Quote(s), Redact(netipReason(err)), cidrExample)
	}
	bits := addr.BitLen()
	if hasBits {
		bits, err = strconv.Atoi(bitsPart)
		if err != nil || bitsPart == "" || bitsPart[0] < '0' || bitsPart[0] > '9' || (len(bitsPart) > 1 && bitsPart[0] == '0') {
			return netip.Prefix{}, Errorf(EInvalid, "%s has an invalid prefix length %s: write a number from 0 to %d after the '/'.", Quote(s), Quote(bitsPart), addr.BitLen())
		}
		if bits > addr.BitLen() {
			return netip.Prefix{}, Errorf(EInvalid, "%s has a prefix length of /%d, but an %s prefix can be at most /%d.", Quote(s), bits, family(addr), addr.BitLen())
		}
	}
	if addr.Is4In6() {
		suggestion := addr.Unmap().String()
		if hasBits && bits >= 96 {
			suggestion = netip.PrefixFrom(addr.Unmap(), bits-96).Masked().String()
		}
		return netip.Prefix{}, Errorf(EInvalid, "%s is an IPv4-mapped IPv6 address: write IPv4 rules in IPv4 form, such as %s.", Quote(s), suggestion)
	}
	p := netip.PrefixFrom(addr, bits)
	if masked := p.Masked(); masked != p {
		return netip.Prefix{}, Errorf(EInvalid, "%s has host bits set after the first %d bits: did you mean %s?", Quote(s), bits, masked)
	}
	return p, nil
}

// netipReason extracts net/netip's reason from its error text, which reads
// `ParseAddr("input"): reason`.
func netipReason(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, "): "); i >= 0 {
		return msg[i+3:]
	}
	return msg
}

func family(a netip.Addr) string {
	if a.Is4() {
		return "IPv4"
	}
	return "IPv6"
}

// CIDRRule is one entry of a key's allow list.
type CIDRRule struct {
	ID        uuid.UUID
	Prefix    netip.Prefix
	CreatedAt time.Time
	UpdatedAt time.Time
}

// AllowList is the list of rules of one key. An empty list allows every
// address.
type AllowList []CIDRRule

// Allows reports whether a request from addr passes the list. IPv4 clients
// seen as IPv4-mapped IPv6 addresses match IPv4 rules, and an address zone
// (fe80::1%eth0) is ignored. It is on the authentication hot path and
// allocates nothing.
func (l AllowList) Allows(addr netip.Addr) bool {
	if len(l) == 0 {
		return true
	}
	a := addr.Unmap().WithZone("")
	for i := range l {
		if l[i].Prefix.Contains(a) {
			return true
		}
	}
	return false
}

// Summary sums the list up in a few words, as a table cell shows it:
// "All addresses" for an empty list, else how many rules it has.
func (l AllowList) Summary() string {
	if len(l) == 0 {
		return "All addresses"
	}
	return Count(len(l), "rule", "rules")
}

// Strings returns the rules in CIDR notation, in list order.
func (l AllowList) Strings() []string {
	out := make([]string, len(l))
	for i, r := range l {
		out[i] = r.Prefix.String()
	}
	return out
}

// Find returns the index of the rule whose prefix is p, or -1.
func (l AllowList) Find(p netip.Prefix) int {
	for i, r := range l {
		if r.Prefix == p {
			return i
		}
	}
	return -1
}

// Validate checks that every rule is a canonical prefix and that none repeats.
func (l AllowList) Validate() error {
	if len(l) > MaxCIDRRules {
		return Errorf(EInvalid, "An allow list can hold at most %d rules; this one has %d.", MaxCIDRRules, len(l))
	}
	for i, r := range l {
		if !r.Prefix.IsValid() || r.Prefix.Masked() != r.Prefix || r.Prefix.Addr().Zone() != "" || r.Prefix.Addr().Is4In6() {
			return Errorf(EInvalid, "Allow-list rule %d (%s) is not a valid CIDR prefix.", i+1, r.Prefix)
		}
		if j := l[:i].Find(r.Prefix); j >= 0 {
			return Errorf(EInvalid, "%s is already in the allow list.", r.Prefix)
		}
	}
	return nil
}
