package redis

import (
	"context"
	"errors"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"keyward/data"
)

// A watch reads the account's feed with XREAD BLOCK from the revision it
// has delivered, so every process is given every batch, its own too, in
// order, and a watch that was cut off by an outage goes on where it
// stopped. The feed keeps about feedLength batches: a watch further behind
// is given a Reset. The revision is the safety net: a watch compares it
// with what it delivered when it starts, after every failed read and
// whenever a read waited watchBlock for nothing, and gives a Reset when
// the feed cannot account for the difference (Redis lost data, or the
// watch started ahead of the revision).

// watchBlock is how long one read of the feed waits for a batch: how often
// an idle watch checks the revision, and how long its goroutine outlives
// stop at most.
const watchBlock = time.Second

// How long a watch waits before it reads again after a failure: doubled
// each time, up to maxBackoff.
const (
	minBackoff = 50 * time.Millisecond
	maxBackoff = time.Second
)

// feedBatch is how many of the feed's entries one read takes.
const feedBatch = 100

// watch is one Watch and the goroutine that reads the feed for it.
type watch struct {
	b  *Backend
	fn func(data.Commit)
	// last is the revision delivered up to; only the goroutine uses it.
	last data.Rev
	// down says the store is unreachable and that this was logged.
	down bool
	// delivering is held while fn runs, so that stop can wait for it.
	delivering sync.Mutex
	stopped    chan struct{}
	once       sync.Once
}

// Watch calls fn with every batch committed after revision from, by any
// process, in revision order. The batches' ops are fn's to read, not to
// modify. fn must not call stop or Close, which wait for it.
func (b *Backend) Watch(from data.Rev, fn func(data.Commit)) (stop func(), err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, errClosed
	}
	w := &watch{b: b, fn: fn, last: from, stopped: make(chan struct{})}
	b.watches[w] = struct{}{}
	b.readers.Add(1)
	go w.run()
	return w.stop, nil
}

// stop ends the watch and waits for a call of fn in progress. The
// goroutine may go on reading a little longer, and returns without
// calling fn.
func (w *watch) stop() {
	w.once.Do(func() {
		close(w.stopped)
		w.b.mu.Lock()
		delete(w.b.watches, w)
		w.b.mu.Unlock()
	})
	w.delivering.Lock()
	//lint:ignore SA2001 the lock is taken to wait for a delivery in progress
	w.delivering.Unlock()
}

func (w *watch) isStopped() bool {
	select {
	case <-w.stopped:
		return true
	default:
		return false
	}
}

// deliver calls fn with c unless the watch is stopped.
func (w *watch) deliver(c data.Commit) {
	w.delivering.Lock()
	defer w.delivering.Unlock()
	if !w.isStopped() {
		w.fn(c)
	}
	w.last = c.Rev
}

func (w *watch) run() {
	defer w.b.readers.Done()
	check := true // compare the revision with the feed before reading it
	backoff := minBackoff
	for !w.isStopped() {
		var err error
		if check {
			err = w.check()
		}
		if err == nil {
			check, err = w.read()
		}
		if err == nil {
			w.reachable()
			backoff = minBackoff
			continue
		}
		if w.isStopped() {
			return
		}
		w.unreachable(err)
		check = true
		select {
		case <-w.stopped:
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// check delivers a Reset if the feed cannot bring the watch from its last
// revision to the store's: the revision is behind it, or the feed does not
// end at the revision.
func (w *watch) check() error {
	ctx := context.Background()
	b := w.b
	var newest *goredis.XMessageSliceCmd
	cmds, err := b.client.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		p.Get(ctx, b.keys.rev)
		newest = p.XRevRangeN(ctx, b.keys.feed, "+", "-", 1)
		return nil
	})
	if err := firstErr(cmds, err); err != nil {
		return err
	}
	rev, err := b.readRev(cmds[0].(*goredis.StringCmd))
	if err != nil {
		return err
	}
	var end data.Rev
	if msgs := newest.Val(); len(msgs) > 0 {
		if end, err = entryRev(msgs[0].ID); err != nil {
			return err
		}
	}
	if rev < w.last || (rev > w.last && end != rev) {
		w.deliver(data.Commit{Rev: rev, Reset: true})
	}
	return nil
}

// read delivers the feed's entries after the last revision, waiting up to
// watchBlock for one; idle says it waited for nothing.
func (w *watch) read() (idle bool, err error) {
	b := w.b
	streams, err := b.client.XRead(context.Background(), &goredis.XReadArgs{
		Streams: []string{b.keys.feed, entryID(w.last)}, Count: feedBatch, Block: watchBlock,
	}).Result()
	if errors.Is(err, goredis.Nil) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	for _, s := range streams {
		for _, m := range s.Messages {
			if w.isStopped() {
				return false, nil
			}
			rev, err := entryRev(m.ID)
			if err != nil {
				return false, err
			}
			if rev != w.last+1 {
				// The entries in between were trimmed from the feed.
				w.deliver(data.Commit{Rev: rev - 1, Reset: true})
			}
			o, _ := m.Values["o"].(string)
			states, err := decodeStates([]byte(o))
			if err != nil {
				w.deliver(data.Commit{Rev: rev, Reset: true})
				continue
			}
			w.deliver(data.Commit{Rev: rev, Ops: statesOps(states)})
		}
	}
	return false, nil
}

// unreachable logs, once an outage, that the feed cannot be read.
func (w *watch) unreachable(err error) {
	if w.down {
		return
	}
	w.down = true
	if w.b.logf != nil {
		w.b.logf("%s Following its changes resumes once it answers again.", data.Sentence(data.ErrorMessage(w.b.failed("follow the changes", err))))
	}
}

// reachable logs that the feed can be read again after an outage.
func (w *watch) reachable() {
	if !w.down {
		return
	}
	w.down = false
	if w.b.logf != nil {
		w.b.logf("The shared store at %s answers again; Keyward follows its changes.", w.b.addr)
	}
}
