package redis

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unsafe"

	goredis "github.com/redis/go-redis/v9"

	"keyward/data"
)

// Get returns the value stored at key, unless its TTL has passed: HGET and
// ZSCORE of its expiry in one MULTI/EXEC.
func (b *Backend) Get(key []byte) ([]byte, bool, error) {
	if err := b.enter(); err != nil {
		return nil, false, err
	}
	defer b.leave()
	ctx := context.Background()
	var value *goredis.StringCmd
	var expires *goredis.FloatCmd
	cmds, err := b.client.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		value = p.HGet(ctx, b.keys.records, string(key))
		expires = p.ZScore(ctx, b.keys.expiry, string(key))
		return nil
	})
	if err := firstErr(cmds, err); err != nil {
		return nil, false, b.failed("read a record", err)
	}
	if errors.Is(value.Err(), goredis.Nil) || !alive(uint64(expires.Val()), time.Now().UnixMilli()) {
		return nil, false, nil
	}
	return []byte(value.Val()), true, nil
}

// pageSize is how many records a Scan reads at once.
const pageSize = 500

var errScanOutlasted = &data.Error{Code: data.EConflict, Err: data.ErrConflict,
	Message: "The records changed too much while they were read; try again."}

// Scan calls fn with the records under prefix, a page at a time, in the
// order of the index (ZRANGEBYLEX, or ZREVRANGEBYLEX for reverse), and
// shows one state of them: the revision at which it read its first page's
// keys. Redis keeps no snapshots, so when batches come in while it reads,
// the later pages are taken back to that state with what the feed's
// entries say the changed keys held before ("u"); a scan that outlasts the
// feed fails with an error wrapping data.ErrConflict, and fn is called no
// more. fn must not call Close, which waits for the Scan.
func (b *Backend) Scan(prefix []byte, reverse bool, fn func(key, value []byte) (bool, error)) error {
	if err := b.enter(); err != nil {
		return err
	}
	defer b.leave()
	s := &scan{b: b, prefix: prefix, reverse: reverse}
	for {
		records, more, err := s.next()
		if err != nil {
			return err
		}
		for _, r := range records {
			if ok, err := fn(r.key, r.value); err != nil || !ok {
				return err
			}
		}
		if !more {
			return nil
		}
	}
}

// scan is a Scan in progress.
type scan struct {
	b       *Backend
	prefix  []byte
	reverse bool
	started bool
	// cursor is the last key of the page handed out last: the next page
	// starts after it (before it, backwards). (The next page's keys may
	// be read already: ahead.)
	cursor string
	// base is the revision the scan shows; folded, the revision up to
	// which the feed's entries are in before: for each key under prefix
	// that a batch after base changed, what it held at base.
	base, folded data.Rev
	before       map[string]state
	// ahead are the keys of the next page, read at aheadRev.
	ahead    []string
	aheadRev data.Rev
}

// next reads the next page and returns its records as of base, and
// whether more may follow. The MULTI that reads a page's records also
// reads the keys of the page after it: a round trip a page, not two.
func (s *scan) next() ([]state, bool, error) {
	ctx := context.Background()
	b := s.b
	if !s.started {
		var keysCmd *goredis.StringSliceCmd
		rev, err := s.read(ctx, func(p goredis.Pipeliner) { keysCmd = s.readKeys(ctx, p, "") })
		if err != nil {
			return nil, false, err
		}
		s.started, s.base, s.folded = true, rev, rev
		s.ahead, s.aheadRev = keysCmd.Val(), rev
	}
	keys, keysRev := s.ahead, s.aheadRev
	full := len(keys) == pageSize
	s.ahead = nil
	valuesRev := keysRev
	var values []any
	var expires []float64
	if len(keys) > 0 {
		var v *goredis.SliceCmd
		var e *goredis.FloatSliceCmd
		var nextKeys *goredis.StringSliceCmd
		rev, err := s.read(ctx, func(p goredis.Pipeliner) {
			v = p.HMGet(ctx, b.keys.records, keys...)
			e = p.ZMScore(ctx, b.keys.expiry, keys...)
			if full {
				nextKeys = s.readKeys(ctx, p, keys[len(keys)-1])
			}
		})
		if err != nil {
			return nil, false, err
		}
		valuesRev, values, expires = rev, v.Val(), e.Val()
		if nextKeys != nil {
			s.ahead, s.aheadRev = nextKeys.Val(), rev
		}
	}
	if keysRev < s.base || valuesRev < keysRev {
		return nil, false, errScanOutlasted // the revision went back: Redis lost data
	}
	if err := s.fold(ctx, valuesRev); err != nil {
		return nil, false, err
	}

	now := time.Now().UnixMilli()
	out := make([]state, 0, len(keys))
	for i, k := range keys {
		if _, changed := s.before[k]; changed {
			continue
		}
		if v, ok := values[i].(string); ok && alive(uint64(expires[i]), now) {
			out = append(out, state{key: view(k), value: view(v)})
		}
	}
	restored := false
	for k, st := range s.before {
		if st.value != nil && alive(st.ms, now) && s.inPage(k, keys, full) {
			out = append(out, st)
			restored = true
		}
	}
	if restored {
		slices.SortFunc(out, func(x, y state) int {
			if s.reverse {
				return bytes.Compare(y.key, x.key)
			}
			return bytes.Compare(x.key, y.key)
		})
	}
	if full {
		s.cursor = keys[len(keys)-1]
	}
	return out, full, nil
}

// read runs the commands add adds in one MULTI/EXEC after a GET of the
// revision, and returns the revision they are at.
func (s *scan) read(ctx context.Context, add func(p goredis.Pipeliner)) (data.Rev, error) {
	b := s.b
	cmds, err := b.client.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		p.Get(ctx, b.keys.rev)
		add(p)
		return nil
	})
	if err := firstErr(cmds, err); err != nil {
		return 0, b.failed("read records", err)
	}
	return b.readRev(cmds[0].(*goredis.StringCmd))
}

// view returns the bytes of s, not a copy: Scan's records are valid only
// during fn's call, which reads them, and copying the 37 MB of 100,000
// keys was a third of what reading them allocated.
func view(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// readKeys adds to p the read of the keys of a page: the first if cursor
// is empty (keys never are), else the one after cursor.
func (s *scan) readKeys(ctx context.Context, p goredis.Pipeliner, cursor string) *goredis.StringSliceCmd {
	lo, hi := "-", "+"
	if len(s.prefix) > 0 {
		lo = "[" + string(s.prefix)
	}
	if end := after(s.prefix); end != nil {
		hi = "(" + string(end)
	}
	if s.reverse {
		if cursor != "" {
			hi = "(" + cursor
		}
		return p.ZRevRangeByLex(ctx, s.b.keys.index, &goredis.ZRangeBy{Min: lo, Max: hi, Count: pageSize})
	}
	if cursor != "" {
		lo = "(" + cursor
	}
	return p.ZRangeByLex(ctx, s.b.keys.index, &goredis.ZRangeBy{Min: lo, Max: hi, Count: pageSize})
}

// inPage reports whether key, under the prefix, belongs to the page of
// keys: after the cursor and, unless the page is the last, up to its last
// key.
func (s *scan) inPage(key string, keys []string, full bool) bool {
	if !strings.HasPrefix(key, string(s.prefix)) {
		return false
	}
	if s.cursor != "" && !s.beyond(key, s.cursor) {
		return false
	}
	return !full || !s.beyond(key, keys[len(keys)-1])
}

// beyond reports whether key a comes after key b in the scan's order.
func (s *scan) beyond(a, b string) bool {
	if s.reverse {
		return a < b
	}
	return a > b
}

// fold brings before up to revision to: for every key under the prefix
// that a batch after base changed, what it held at base, from the feed's
// entries.
func (s *scan) fold(ctx context.Context, to data.Rev) error {
	for s.folded < to {
		msgs, err := s.b.client.XRangeN(ctx, s.b.keys.feed, entryID(s.folded+1), entryID(to), 100).Result()
		if err != nil {
			return s.b.failed("read records", err)
		}
		if len(msgs) == 0 {
			return errScanOutlasted
		}
		for _, m := range msgs {
			rev, err := entryRev(m.ID)
			if err != nil {
				return damaged(s.b.addr, err)
			}
			if rev != s.folded+1 {
				return errScanOutlasted // trimmed from the feed
			}
			u, _ := m.Values["u"].(string)
			states, err := decodeStates([]byte(u))
			if err != nil {
				return damaged(s.b.addr, err)
			}
			for _, st := range states {
				if _, seen := s.before[string(st.key)]; !seen && bytes.HasPrefix(st.key, s.prefix) {
					if s.before == nil {
						s.before = map[string]state{}
					}
					s.before[string(st.key)] = st
				}
			}
			s.folded = rev
		}
	}
	return nil
}

// after returns the first key after every key that starts with prefix, or
// nil if there is none: the prefix is empty or all 0xff.
func after(prefix []byte) []byte {
	for i := len(prefix) - 1; i >= 0; i-- {
		if prefix[i] != 0xff {
			k := bytes.Clone(prefix[:i+1])
			k[i]++
			return k
		}
	}
	return nil
}
