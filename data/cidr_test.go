package data

import (
	"net/netip"
	"strings"
	"testing"
)

func TestParseCIDR(t *testing.T) {
	tests := []struct {
		in      string
		want    string // canonical prefix, or "" when refused
		message string // substring of the error
	}{
		{"203.0.113.0/24", "203.0.113.0/24", ""},
		{"  203.0.113.0/24 ", "203.0.113.0/24", ""},
		{"198.51.100.7", "198.51.100.7/32", ""},
		{"0.0.0.0/0", "0.0.0.0/0", ""},
		{"2001:db8::/32", "2001:db8::/32", ""},
		{"2001:DB8::/32", "2001:db8::/32", ""},
		{"2001:db8::1", "2001:db8::1/128", ""},
		{"::/0", "::/0", ""},
		{"10.0.0.1/32", "10.0.0.1/32", ""},
		{"", "", "empty"},
		{"   ", "", "empty"},
		{"10.0.0.1/8", "", "did you mean 10.0.0.0/8?"},
		{"192.168.1.77/24", "", "did you mean 192.168.1.0/24?"},
		{"2001:db8::1/32", "", "did you mean 2001:db8::/32?"},
		{"10.0.0.0/33", "", "at most /32"},
		{"2001:db8::/129", "", "at most /128"},
		{"10.0.0.0/", "", "invalid prefix length"},
		{"10.0.0.0/-1", "", "invalid prefix length"},
		{"10.0.0.0/+8", "", "invalid prefix length"},
		{"10.0.0.0/08", "", "invalid prefix length"},
		{"10.0.0.0/8/8", "", "invalid prefix length"},
		{"10.0.0.0/x", "", "invalid prefix length"},
		{"10.0.0.256/32", "", "not a valid IP address"},
		{"010.0.0.1", "", "not a valid IP address"},
		{"10.0.0", "", "not a valid IP address"},
		{"example.com", "", "not a valid IP address"},
		{"fe80::1%eth0", "", "zone"},
		{"fe80::%eth0/64", "", "zone"},
		{"::ffff:198.51.100.7", "", "write IPv4 rules in IPv4 form, such as 198.51.100.7"},
		{"::ffff:10.0.0.0/104", "", "such as 10.0.0.0/8"},
		{"/24", "", "not a valid IP address"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := ParseCIDR(tt.in)
			if tt.want != "" {
				if err != nil || p.String() != tt.want {
					t.Fatalf("ParseCIDR(%q) = %v, %v; want %s", tt.in, p, err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseCIDR(%q) = %v, want an error containing %q", tt.in, p, tt.message)
			}
			wantCode(t, err, EInvalid)
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("ParseCIDR(%q) error = %q, want it to contain %q", tt.in, err, tt.message)
			}
		})
	}
}

func TestAllowListAllows(t *testing.T) {
	list := AllowList{
		{Prefix: netip.MustParsePrefix("203.0.113.0/24")},
		{Prefix: netip.MustParsePrefix("2001:db8::/32")},
	}
	tests := []struct {
		addr string
		want bool
	}{
		{"203.0.113.9", true},
		{"203.0.114.9", false},
		{"::ffff:203.0.113.9", true}, // an IPv4 client on a dual-stack socket
		{"::ffff:203.0.114.9", false},
		{"2001:db8::5", true},
		{"2001:db8::5%eth0", true},
		{"2001:db9::5", false},
		{"127.0.0.1", false},
	}
	for _, tt := range tests {
		if got := list.Allows(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("Allows(%s) = %v, want %v", tt.addr, got, tt.want)
		}
	}
	if !(AllowList{}).Allows(netip.MustParseAddr("192.0.2.1")) {
		t.Error("an empty allow list must allow every address")
	}
}

func TestAllowListValidate(t *testing.T) {
	r := func(s string) CIDRRule { return CIDRRule{Prefix: netip.MustParsePrefix(s)} }
	if err := (AllowList{r("10.0.0.0/8"), r("10.1.0.0/16")}).Validate(); err != nil {
		t.Errorf("overlapping rules are allowed: %v", err)
	}
	if err := (AllowList{r("10.0.0.0/8"), r("10.0.0.0/8")}).Validate(); err == nil || !strings.Contains(err.Error(), "already in the allow list") {
		t.Errorf("duplicate: %v", err)
	}
	if err := (AllowList{r("10.0.0.1/8")}).Validate(); err == nil {
		t.Error("host bits set must be refused")
	}
}

func FuzzParseCIDR(f *testing.F) {
	for _, s := range []string{"203.0.113.0/24", "10.0.0.1/8", "2001:db8::/32", "fe80::1%eth0", "::ffff:1.2.3.4/120", "1.2.3.4", "/", "1.2.3.4/033", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, err := ParseCIDR(in)
		if err != nil {
			if ErrorCode(err) != EInvalid || err.Error() == "" {
				t.Fatalf("ParseCIDR(%q): error %v has code %q", in, err, ErrorCode(err))
			}
			return
		}
		if !p.IsValid() || p.Masked() != p || p.Addr().Zone() != "" || p.Addr().Is4In6() {
			t.Fatalf("ParseCIDR(%q) = %v, not a canonical prefix", in, p)
		}
		// What the console shows must parse back to the same rule.
		again, err := ParseCIDR(p.String())
		if err != nil || again != p {
			t.Fatalf("ParseCIDR(%q) = %v, but its string parses to %v, %v", in, p, again, err)
		}
		if err := (AllowList{{Prefix: p}}).Validate(); err != nil {
			t.Fatalf("ParseCIDR(%q) = %v, which AllowList.Validate refuses: %v", in, p, err)
		}
		if !(AllowList{{Prefix: p}}).Allows(p.Addr()) {
			t.Fatalf("rule %v does not allow its own address", p)
		}
	})
}
