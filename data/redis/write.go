package redis

import (
	"context"
	"crypto/rand"
	"errors"
	"math"
	mathrand "math/rand/v2"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"keyward/data"
)

// maxBatchBytes bounds the keys and values of one batch: far above what
// the Store commits at once, and far below what Redis refuses in one
// request (512 MB a value), so that a runaway batch is refused before it
// is sent.
const maxBatchBytes = 16 << 20

// purgeLimit bounds how many expired records one commit deletes.
const purgeLimit = 100

// maxAnyRevAttempts bounds how often a batch with AnyRev is tried again
// when other batches keep coming in between its WATCH and its EXEC.
const maxAnyRevAttempts = 100

// batch is a Commit's ops, prepared once for every attempt.
type batch struct {
	// keys are the distinct keys, and last the final op of each: of two
	// ops on one key the later wins, so Redis is given only that one.
	keys []string
	last map[string]data.Op
	// feed is the ops as given, in order, as the feed keeps them.
	feed  []byte
	nonce string
}

func newBatch(ops []data.Op) *batch {
	c := &batch{last: make(map[string]data.Op, len(ops)), feed: encodeStates(opStates(ops)), nonce: rand.Text()}
	for _, op := range ops {
		k := string(op.Key)
		if _, seen := c.last[k]; !seen {
			c.keys = append(c.keys, k)
		}
		c.last[k] = op
	}
	return c
}

// Commit applies ops in one MULTI/EXEC, guarded by a WATCH of the
// revision: the records, the index, the expiry of records with a TTL, the
// next revision and the feed's entry for it change together or not at all,
// on one server and in a Cluster alike (every key of the account is in
// one slot). A batch whose WATCH fires because another came first is a
// conflict, or, with AnyRev, is tried again. The commit also deletes a few
// records whose TTL has passed.
func (b *Backend) Commit(expect data.Rev, ops []data.Op) (data.Rev, error) {
	if err := b.enter(); err != nil {
		return 0, err
	}
	defer b.leave()
	size := 0
	for _, op := range ops {
		if len(op.Key) == 0 {
			return 0, data.Errorf(data.EInvalid, "A record with an empty key cannot be saved.")
		}
		size += len(op.Key) + len(op.Value)
	}
	if size > maxBatchBytes {
		return 0, errTooLarge
	}
	c := newBatch(ops)
	for attempt := 1; ; attempt++ {
		rev, err := b.commitOnce(expect, c)
		if !errors.Is(err, goredis.TxFailedErr) {
			return rev, err
		}
		if expect != data.AnyRev || attempt == maxAnyRevAttempts {
			return 0, errConflict
		}
		time.Sleep(mathrand.N(time.Duration(min(attempt, 10)) * time.Millisecond))
	}
}

// commitOnce makes one attempt: WATCH; the revision, the expired records
// and what the batch's keys hold now, in one round trip; then MULTI/EXEC.
// It returns goredis.TxFailedErr if the WATCH fired.
func (b *Backend) commitOnce(expect data.Rev, c *batch) (data.Rev, error) {
	ctx := context.Background()
	var rev data.Rev
	var sent bool // EXEC was sent: an error after it leaves the outcome unknown
	err := b.client.Watch(ctx, func(tx *goredis.Tx) error {
		now := time.Now().UnixMilli()
		var values *goredis.SliceCmd
		var expires *goredis.FloatSliceCmd
		cmds, err := tx.Pipelined(ctx, func(p goredis.Pipeliner) error {
			p.Get(ctx, b.keys.rev)
			p.ZRangeByScore(ctx, b.keys.expiry, &goredis.ZRangeBy{Min: "-inf", Max: strconv.FormatInt(now, 10), Count: purgeLimit})
			if len(c.keys) > 0 {
				values = p.HMGet(ctx, b.keys.records, c.keys...)
				expires = p.ZMScore(ctx, b.keys.expiry, c.keys...)
			}
			return nil
		})
		if err := firstErr(cmds, err); err != nil {
			return err
		}
		cur, err := b.readRev(cmds[0].(*goredis.StringCmd))
		if err != nil {
			return err
		}
		if expect != data.AnyRev && cur != expect {
			return errConflict
		}
		rev = cur + 1
		var before []state
		if values != nil {
			before = priorStates(c.keys, values.Val(), expires.Val())
		}
		expired := cmds[1].(*goredis.StringSliceCmd).Val()
		sent = true
		_, err = tx.TxPipelined(ctx, func(p goredis.Pipeliner) error {
			b.queueWrites(ctx, p, c, expired, now)
			p.Set(ctx, b.keys.rev, uint64(rev), 0)
			p.XAdd(ctx, &goredis.XAddArgs{
				Stream: b.keys.feed, MaxLen: feedLength, Approx: true, ID: entryID(rev),
				Values: []any{"o", c.feed, "u", encodeStates(before), "n", c.nonce},
			})
			return nil
		})
		return err
	}, b.keys.rev)
	switch {
	case err == nil:
		return rev, nil
	case errors.Is(err, goredis.TxFailedErr), errors.Is(err, data.ErrConflict):
		return 0, err
	case sent && !isServerError(err) && b.landed(rev, c.nonce):
		// The connection failed after EXEC, which Redis carried out.
		return rev, nil
	}
	var e *data.Error
	if errors.As(err, &e) {
		return 0, err
	}
	return 0, b.failed("save the change", err)
}

// queueWrites queues the batch's writes, after the deletion of the expired
// records: a batch that sets one of them again wins.
func (b *Backend) queueWrites(ctx context.Context, p goredis.Pipeliner, c *batch, expired []string, now int64) {
	if len(expired) > 0 {
		p.HDel(ctx, b.keys.records, expired...)
		p.ZRem(ctx, b.keys.index, members(expired)...)
		p.ZRem(ctx, b.keys.expiry, members(expired)...)
	}
	var set []any
	var indexed []goredis.Z
	var deleted, lasting []string
	var expiring []goredis.Z
	for _, k := range c.keys {
		op := c.last[k]
		if op.Value == nil {
			deleted = append(deleted, k)
			lasting = append(lasting, k)
			continue
		}
		set = append(set, k, op.Value)
		indexed = append(indexed, goredis.Z{Member: k})
		if op.TTL > 0 {
			expiring = append(expiring, goredis.Z{Member: k, Score: float64(now + int64(ttlMillis(op.TTL)))})
		} else {
			lasting = append(lasting, k)
		}
	}
	if len(set) > 0 {
		p.HSet(ctx, b.keys.records, set...)
		p.ZAdd(ctx, b.keys.index, indexed...)
	}
	if len(deleted) > 0 {
		p.HDel(ctx, b.keys.records, deleted...)
		p.ZRem(ctx, b.keys.index, members(deleted)...)
	}
	if len(expiring) > 0 {
		p.ZAdd(ctx, b.keys.expiry, expiring...)
	}
	if len(lasting) > 0 {
		p.ZRem(ctx, b.keys.expiry, members(lasting)...)
	}
}

// priorStates are what keys held before a batch: HMGET's values and
// ZMSCORE's expiries of them.
func priorStates(keys []string, values []any, expires []float64) []state {
	out := make([]state, len(keys))
	for i, k := range keys {
		out[i].key = []byte(k)
		if v, ok := values[i].(string); ok {
			out[i].value = []byte(v)
			out[i].ms = uint64(expires[i])
		}
	}
	return out
}

// landed reports whether the batch with nonce committed as revision rev:
// its entry is in the feed.
func (b *Backend) landed(rev data.Rev, nonce string) bool {
	msgs, err := b.client.XRange(context.Background(), b.keys.feed, entryID(rev), entryID(rev)).Result()
	return err == nil && len(msgs) == 1 && msgs[0].Values["n"] == nonce
}

// Rev returns the revision of the latest commit.
func (b *Backend) Rev() (data.Rev, error) {
	if err := b.enter(); err != nil {
		return 0, err
	}
	defer b.leave()
	return b.readRev(b.client.Get(context.Background(), b.keys.rev))
}

// readRev reads the revision from a GET of it; none is 0.
func (b *Backend) readRev(cmd *goredis.StringCmd) (data.Rev, error) {
	s, err := cmd.Result()
	switch {
	case errors.Is(err, goredis.Nil):
		return 0, nil
	case err != nil:
		return 0, b.failed("read the revision", err)
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, damaged(b.addr, errors.New("its revision is not a number"))
	}
	return data.Rev(n), nil
}

// Next returns the next value of the sequence: INCR of its key.
func (b *Backend) Next(sequence string) (uint64, error) {
	if err := b.enter(); err != nil {
		return 0, err
	}
	defer b.leave()
	n, err := b.client.Incr(context.Background(), b.keys.seq(sequence)).Result()
	if err != nil {
		if goredis.HasErrorPrefix(err, "ERR value is not an integer") || goredis.HasErrorPrefix(err, "ERR increment or decrement would overflow") {
			return 0, damaged(b.addr, err)
		}
		return 0, b.failed("allocate an id", err)
	}
	if n <= 0 {
		return 0, damaged(b.addr, errors.New("the sequence "+strconv.Quote(sequence)+" is not positive"))
	}
	return uint64(n), nil
}

// Advance raises the sequence's value to past unless it is beyond: WATCH
// of its key, so that a Next in between makes it look again.
func (b *Backend) Advance(sequence string, past uint64) error {
	if err := b.enter(); err != nil {
		return err
	}
	defer b.leave()
	if past >= math.MaxInt64 {
		return data.Errorf(data.EInvalid, "The sequence %q cannot go past %d: Redis counts to %d.", sequence, past, int64(math.MaxInt64))
	}
	ctx := context.Background()
	key := b.keys.seq(sequence)
	for attempt := 1; ; attempt++ {
		err := b.client.Watch(ctx, func(tx *goredis.Tx) error {
			s, err := tx.Get(ctx, key).Result()
			if err != nil && !errors.Is(err, goredis.Nil) {
				return err
			}
			if err == nil {
				n, err := strconv.ParseUint(s, 10, 64)
				if err != nil {
					return damaged(b.addr, errors.New("the sequence "+strconv.Quote(sequence)+" is not a number"))
				}
				if n >= past {
					return nil
				}
			}
			_, err = tx.TxPipelined(ctx, func(p goredis.Pipeliner) error {
				p.Set(ctx, key, past, 0)
				return nil
			})
			return err
		}, key)
		if errors.Is(err, goredis.TxFailedErr) && attempt < maxAnyRevAttempts {
			continue
		}
		var e *data.Error
		if errors.As(err, &e) {
			return err
		}
		return b.failed("advance the sequence "+sequence, err)
	}
}

// firstErr returns the error of a pipeline: its own, or the first of its
// commands', a missing key (goredis.Nil) being no error.
func firstErr(cmds []goredis.Cmder, err error) error {
	for _, cmd := range cmds {
		if err := cmd.Err(); err != nil && !errors.Is(err, goredis.Nil) {
			return err
		}
	}
	if errors.Is(err, goredis.Nil) {
		return nil
	}
	return err
}

// isServerError reports whether err is a reply of the server, which
// means the command was carried out or refused, not lost on the way.
func isServerError(err error) bool {
	var e goredis.Error
	return errors.As(err, &e)
}

// members returns ss as the arguments of a command.
func members(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
