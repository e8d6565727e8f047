package redis

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"keyward/data"
)

// The layout of one account in Redis. Every key starts with the account's
// hash-tagged prefix keyward:{NAME}:, so that a Cluster keeps them all in
// one slot and a MULTI/EXEC or a WATCH may span them:
//
//	keyward:{NAME}:rev        the revision: the number of batches committed, a decimal string
//	keyward:{NAME}:records    a hash: record key → value
//	keyward:{NAME}:index      a sorted set of the record keys, all scored 0, which Redis
//	                          orders bytewise: prefix scans in order, either way
//	keyward:{NAME}:expiry     a sorted set: the key of a record with a TTL → when it expires,
//	                          in Unix milliseconds (Redis 7.0 cannot expire a hash field);
//	                          reads skip expired records and commits delete them
//	keyward:{NAME}:feed       a stream of the latest batches, about feedLength of them, entry
//	                          <rev>-0 holding the batch's ops ("o"), what its keys held before
//	                          ("u", for the scans running meanwhile) and the committer's
//	                          nonce ("n")
//	keyward:{NAME}:seq:NAME   a sequence, INCR'd
//
// and, outside the prefix, as go-redis/redis_rate names its keys:
//
//	rate:keyward:{NAME}:UUID  a key's shared rate-limit budget (serve --shared-rate-limit),
//	                          expiring once the budget is full again
type layout struct {
	rev, records, index, expiry, feed, seqPrefix, ratePrefix string
}

func newLayout(account string) layout {
	p := "keyward:{" + account + "}:"
	return layout{rev: p + "rev", records: p + "records", index: p + "index", expiry: p + "expiry", feed: p + "feed", seqPrefix: p + "seq:", ratePrefix: p}
}

func (l layout) seq(name string) string { return l.seqPrefix + name }

// feedLength is about how many of the latest batches the feed keeps (Redis
// trims it in whole blocks, so a few more): a watch further behind, or a
// scan that outlasts that many batches, starts again from the records.
const feedLength = 1000

// entryID is the feed's entry of revision rev.
func entryID(rev data.Rev) string { return strconv.FormatUint(uint64(rev), 10) + "-0" }

// entryRev reads the revision back from a feed entry's id.
func entryRev(id string) (data.Rev, error) {
	ms, seq, ok := strings.Cut(id, "-")
	n, err := strconv.ParseUint(ms, 10, 64)
	if !ok || seq != "0" || err != nil {
		return 0, fmt.Errorf("the change feed has an entry %q that Keyward did not write", id)
	}
	return data.Rev(n), nil
}

// state is a record as the feed keeps it: a batch's op, or what a key
// held before a batch. Value nil means none (a deletion, or no record). ms
// is an op's TTL, or the record's expiry in Unix milliseconds; 0 for none.
type state struct {
	key, value []byte
	ms         uint64
}

// The kinds of a state in its encoding.
const (
	kindNone    = 0
	kindValue   = 1
	kindExpires = 2
)

// encodeStates writes states as the feed keeps them: for each, the key's
// length and bytes, its kind, then for kindExpires the milliseconds and
// for a value its length and bytes; lengths and milliseconds as uvarints.
func encodeStates(states []state) []byte {
	n := 0
	for _, s := range states {
		n += len(s.key) + len(s.value) + 3*binary.MaxVarintLen64 + 1
	}
	b := make([]byte, 0, n)
	for _, s := range states {
		b = binary.AppendUvarint(b, uint64(len(s.key)))
		b = append(b, s.key...)
		switch {
		case s.value == nil:
			b = append(b, kindNone)
			continue
		case s.ms > 0:
			b = append(b, kindExpires)
			b = binary.AppendUvarint(b, s.ms)
		default:
			b = append(b, kindValue)
		}
		b = binary.AppendUvarint(b, uint64(len(s.value)))
		b = append(b, s.value...)
	}
	return b
}

var errBadEntry = errors.New("the change feed has an entry Keyward cannot read")

// decodeStates reads what encodeStates wrote. Values are non-nil, empty
// ones too.
func decodeStates(b []byte) ([]state, error) {
	var out []state
	bytesOf := func() ([]byte, bool) {
		n, w := binary.Uvarint(b)
		if w <= 0 || n > uint64(len(b)-w) {
			return nil, false
		}
		v := make([]byte, n)
		copy(v, b[w:w+int(n)])
		b = b[w+int(n):]
		return v, true
	}
	for len(b) > 0 {
		var s state
		var ok bool
		if s.key, ok = bytesOf(); !ok || len(b) == 0 {
			return nil, errBadEntry
		}
		kind := b[0]
		b = b[1:]
		switch kind {
		case kindNone:
			out = append(out, s)
			continue
		case kindExpires:
			ms, w := binary.Uvarint(b)
			if w <= 0 || ms == 0 {
				return nil, errBadEntry
			}
			s.ms, b = ms, b[w:]
		case kindValue:
		default:
			return nil, errBadEntry
		}
		if s.value, ok = bytesOf(); !ok {
			return nil, errBadEntry
		}
		out = append(out, s)
	}
	return out, nil
}

// opStates are a batch's ops as the feed keeps them.
func opStates(ops []data.Op) []state {
	out := make([]state, len(ops))
	for i, op := range ops {
		out[i] = state{key: op.Key, value: op.Value}
		if op.Value != nil && op.TTL > 0 {
			out[i].ms = ttlMillis(op.TTL)
		}
	}
	return out
}

// ttlMillis is a TTL in whole milliseconds, at least one.
func ttlMillis(ttl time.Duration) uint64 { return uint64(max(ttl.Milliseconds(), 1)) }

// statesOps turns a feed entry's ops back into a batch.
func statesOps(states []state) []data.Op {
	ops := make([]data.Op, len(states))
	for i, s := range states {
		ops[i] = data.Op{Key: s.key, Value: s.value, TTL: time.Duration(s.ms) * time.Millisecond}
	}
	return ops
}

// alive reports whether a record that expires at ms (0: never) is still
// there at now, in Unix milliseconds.
func alive(ms uint64, now int64) bool { return ms == 0 || int64(ms) > now }
