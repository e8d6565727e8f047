package redis

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

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
	// cursor is the last key of the index read so far: the next page
	// starts after it (before it, backwards).
	cursor string
	// base is the revision the scan shows; folded, the revision up to
	// which the feed's entries are in before: for each key under prefix
	// that a batch after base changed, what it held at base.
	base, folded data.Rev
	before       map[string]state
}

// next reads the next page and returns its records as of base, and
// whether more may follow.
func (s *scan) next() ([]state, bool, error) {
	ctx := context.Background()
	b := s.b
	keysRev, keys, err := s.readKeys(ctx)
	if err != nil {
		return nil, false, err
	}
	if !s.started {
		s.started, s.base, s.folded = true, keysRev, keysRev
	}
	valuesRev := keysRev
	var values []any
	var expires []float64
	if len(keys) > 0 {
		var v *goredis.SliceCmd
		var e *goredis.FloatSliceCmd
		cmds, err := b.client.TxPipelined(ctx, func(p goredis.Pipeliner) error {
			p.Get(ctx, b.keys.rev)
			v = p.HMGet(ctx, b.keys.records, keys...)
			e = p.ZMScore(ctx, b.keys.expiry, keys...)
			return nil
		})
		if err := firstErr(cmds, err); err != nil {
			return nil, false, b.failed("read records", err)
		}
		if valuesRev, err = b.readRev(cmds[0].(*goredis.StringCmd)); err != nil {
			return nil, false, err
		}
		values, expires = v.Val(), e.Val()
	}
	if keysRev < s.base || valuesRev < keysRev {
		return nil, false, errScanOutlasted // the revision went back: Redis lost data
	}
	if err := s.fold(ctx, valuesRev); err != nil {
		return nil, false, err
	}

	full := len(keys) == pageSize
	now := time.Now().UnixMilli()
	var out []state
	for i, k := range keys {
		if _, changed := s.before[k]; changed {
			continue
		}
		if v, ok := values[i].(string); ok && alive(uint64(expires[i]), now) {
			out = append(out, state{key: []byte(k), value: []byte(v)})
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

// readKeys reads the keys of the next page and the revision they are at.
func (s *scan) readKeys(ctx context.Context) (data.Rev, []string, error) {
	b := s.b
	lo, hi := "-", "+"
	if len(s.prefix) > 0 {
		lo = "[" + string(s.prefix)
	}
	if end := after(s.prefix); end != nil {
		hi = "(" + string(end)
	}
	var keys *goredis.StringSliceCmd
	cmds, err := b.client.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		p.Get(ctx, b.keys.rev)
		// Keys are never empty: an empty cursor is the first page's.
		switch {
		case s.reverse:
			if s.cursor != "" {
				hi = "(" + s.cursor
			}
			keys = p.ZRevRangeByLex(ctx, b.keys.index, &goredis.ZRangeBy{Min: lo, Max: hi, Count: pageSize})
		default:
			if s.cursor != "" {
				lo = "(" + s.cursor
			}
			keys = p.ZRangeByLex(ctx, b.keys.index, &goredis.ZRangeBy{Min: lo, Max: hi, Count: pageSize})
		}
		return nil
	})
	if err := firstErr(cmds, err); err != nil {
		return 0, nil, b.failed("read records", err)
	}
	rev, err := b.readRev(cmds[0].(*goredis.StringCmd))
	return rev, keys.Val(), err
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
