package data

import (
	"net/netip"
	"time"
)

// The index keeps the times and client addresses of 100,000 keys in
// compact forms that hold what Keyward records; what they cannot hold is
// kept whole beside them (keyEntry.whole).

// stamp is a time as the index keeps it: in 12 bytes rather than
// time.Time's 24. It holds a
// time in UTC or in time.Local, the zones of every time Keyward records
// (creation times are UTC, last-used times the clock's), and drops the
// monotonic clock reading, which nothing compares once a time is recorded.
// The zero stamp is the zero time.
type stamp struct {
	// sec is the seconds since January 1, year 1, the zero time: an int64
	// in two halves, low first, so that a stamp aligns to 4 bytes.
	sec  [2]uint32
	nsec uint32 // the nanoseconds, and the flags
}

const (
	stampLocal = 1 << 31 // the time is in time.Local
	stampWhole = 1 << 30 // the time is kept whole elsewhere (keyEntry.whole)
)

// zeroToUnix is the Unix time of the zero time.
const zeroToUnix = -62135596800

// stampOf returns t as a stamp; ok is false if t is in another zone than
// UTC or Local.
func stampOf(t time.Time) (st stamp, ok bool) {
	var local uint32
	switch t.Location() {
	case time.UTC:
	case time.Local:
		local = stampLocal
	default:
		return stamp{}, false
	}
	sec := uint64(t.Unix() - zeroToUnix)
	return stamp{sec: [2]uint32{uint32(sec), uint32(sec >> 32)}, nsec: uint32(t.Nanosecond()) | local}, true
}

// time returns the time of a stamp that is not stampWhole.
func (st stamp) time() time.Time {
	sec := int64(uint64(st.sec[1])<<32|uint64(st.sec[0])) + zeroToUnix
	t := time.Unix(sec, int64(st.nsec&^(stampLocal|stampWhole)))
	if st.nsec&stampLocal == 0 {
		return t.UTC()
	}
	return t
}

// addr is a client address as the index keeps it: in 17 bytes rather than
// netip.Addr's 24, which hold a zone. It holds none, an IPv4 or an IPv6
// address without a zone, which is what recordUse keeps.
type addr struct {
	ip   [16]byte
	kind uint8 // one of the addr kinds
}

// The kinds of addr.
const (
	addrNone  = iota
	addr4     // an IPv4 address, in ip[:4]
	addr6     // an IPv6 address
	addrWhole // an address with a zone, kept whole elsewhere (keyEntry.whole)
)

// addrOf returns a as an addr; ok is false if it has a zone.
func addrOf(a netip.Addr) (ad addr, ok bool) {
	switch {
	case !a.IsValid():
		return addr{}, true
	case a.Zone() != "":
		return addr{}, false
	case a.Is4():
		ad.kind = addr4
		*(*[4]byte)(ad.ip[:4]) = a.As4()
	default:
		ad.kind = addr6
		ad.ip = a.As16()
	}
	return ad, true
}

// netip returns the address of an addr that is not addrWhole.
func (ad addr) netip() netip.Addr {
	switch ad.kind {
	case addr4:
		return netip.AddrFrom4([4]byte(ad.ip[:4]))
	case addr6:
		return netip.AddrFrom16(ad.ip)
	}
	return netip.Addr{}
}
