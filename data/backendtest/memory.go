package backendtest

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"keyward/data"
)

// DefaultHistory is how many recent commits NewMemory keeps for watches
// that start, or fall, behind the latest revision.
const DefaultHistory = 1000

// Memory is a storage that lives in memory, shared by every handle Open
// returns as processes share a server: records, revision, sequences and
// the history of recent commits outlive a handle, so closing one and
// opening another is a reopen. It is for tests that need a data.Backend
// but not a disk. Make one with NewMemory or NewMemoryWithHistory.
//
// An empty batch is a commit like any other: Commit checks expect, and the
// batch gets the next revision and is delivered to watches with no ops.
//
// Memory keeps the ops given to Commit as they are (Commit takes ownership
// of them) and hands out only copies: Get, Scan and Watch return bytes the
// caller may modify. TTLs are measured with time.Now.
type Memory struct {
	mu      sync.Mutex
	records map[string]memoryRecord
	rev     data.Rev
	seqs    map[string]uint64
	history []data.Commit // the latest commits, oldest first, at most limit
	limit   int
	changed chan struct{} // closed, and replaced, by every commit to wake the watches
	failure error         // what every Commit returns, if set
}

// memoryRecord is the value stored at a key.
type memoryRecord struct {
	value   []byte
	expires time.Time // zero: never
}

func (r memoryRecord) alive(now time.Time) bool {
	return r.expires.IsZero() || now.Before(r.expires)
}

// NewMemory returns an empty Memory that keeps the latest DefaultHistory
// commits.
func NewMemory() *Memory { return NewMemoryWithHistory(DefaultHistory) }

// NewMemoryWithHistory returns an empty Memory that keeps the latest n
// commits: a watch that starts, or falls, further behind gets a Reset. A
// small n lets tests provoke Resets. It panics if n is negative.
func NewMemoryWithHistory(n int) *Memory {
	if n < 0 {
		panic(fmt.Sprintf("backendtest: history of %d commits", n))
	}
	return &Memory{
		records: map[string]memoryRecord{},
		seqs:    map[string]uint64{},
		limit:   n,
		changed: make(chan struct{}),
	}
}

// Open returns a new handle on m. It never fails; the error is there so
// that Open fits Config.New.
func (m *Memory) Open() (data.Backend, error) {
	return &memoryHandle{m: m, watches: map[*memoryWatch]struct{}{}}, nil
}

// FailCommits makes every later Commit, on every handle, fail with err and
// change nothing, until FailCommits is called with nil: a storage failure
// for tests of the layer above.
func (m *Memory) FailCommits(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.failure = err
}

func (m *Memory) commit(expect data.Rev, ops []data.Op) (data.Rev, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failure != nil {
		return 0, m.failure
	}
	if expect != data.AnyRev && expect != m.rev {
		return 0, fmt.Errorf("%w: the batch expects revision %d, the memory store is at %d", data.ErrConflict, expect, m.rev)
	}
	now := time.Now()
	for _, op := range ops {
		if op.Value == nil {
			delete(m.records, string(op.Key))
			continue
		}
		r := memoryRecord{value: op.Value}
		if op.TTL > 0 {
			r.expires = now.Add(op.TTL)
		}
		m.records[string(op.Key)] = r
	}
	m.rev++
	m.history = append(m.history, data.Commit{Rev: m.rev, Ops: ops})
	if len(m.history) > m.limit {
		m.history = m.history[len(m.history)-m.limit:]
	}
	close(m.changed)
	m.changed = make(chan struct{})
	return m.rev, nil
}

func (m *Memory) revision() data.Rev {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.rev
}

func (m *Memory) next(sequence string) uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seqs[sequence]++
	return m.seqs[sequence]
}

func (m *Memory) advance(sequence string, past uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seqs[sequence] = max(m.seqs[sequence], past)
}

func (m *Memory) get(key []byte) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.records[string(key)]
	if !ok || !r.alive(time.Now()) {
		return nil, false
	}
	return bytes.Clone(r.value), true
}

// memoryEntry is one record of a Scan's snapshot.
type memoryEntry struct {
	key   string
	value []byte
}

// snapshot returns copies of the live records under prefix, in key order
// or reverse key order, so that Scan can call its fn without the lock.
func (m *Memory) snapshot(prefix []byte, reverse bool) []memoryEntry {
	m.mu.Lock()
	now := time.Now()
	var entries []memoryEntry
	for k, r := range m.records {
		if strings.HasPrefix(k, string(prefix)) && r.alive(now) {
			entries = append(entries, memoryEntry{key: k, value: bytes.Clone(r.value)})
		}
	}
	m.mu.Unlock()
	// Go compares strings bytewise: the order the contract asks for.
	slices.SortFunc(entries, func(a, b memoryEntry) int { return strings.Compare(a.key, b.key) })
	if reverse {
		slices.Reverse(entries)
	}
	return entries
}

// oldest returns the revision of the oldest commit still in the history,
// or the next revision when the history is empty.
func (m *Memory) oldest() data.Rev {
	return m.rev + 1 - data.Rev(len(m.history))
}

// watch starts delivering to fn the commits after from.
func (m *Memory) watch(from data.Rev, fn func(data.Commit)) *memoryWatch {
	m.mu.Lock()
	defer m.mu.Unlock()
	w := &memoryWatch{
		m:    m,
		fn:   fn,
		next: from + 1,
		// A from beyond the revision is a watcher that knows records this
		// storage never had (another storage's, say): it must read again.
		reset: from > m.rev || from+1 < m.oldest(),
		quit:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	go w.run()
	return w
}

// memoryWatch delivers a Memory's commits to one watcher, from a goroutine
// of its own, so that a slow watcher delays no one.
type memoryWatch struct {
	m     *Memory
	fn    func(data.Commit)
	next  data.Rev // the revision to deliver next; guarded by m.mu
	reset bool     // deliver a Reset first; guarded by m.mu
	quit  chan struct{}
	done  chan struct{} // closed when run returns
	once  sync.Once
}

func (w *memoryWatch) run() {
	defer close(w.done)
	for {
		c, wake := w.pending()
		if wake != nil {
			select {
			case <-wake:
				continue
			case <-w.quit:
				return
			}
		}
		// Checked again so that no call starts once stop has been asked for.
		select {
		case <-w.quit:
			return
		default:
		}
		w.fn(c)
	}
}

// pending returns the commit to deliver next or, when the watcher is up to
// date, a channel the next commit closes. A watcher the history no longer
// reaches gets a Reset at the latest revision and follows on from there.
func (w *memoryWatch) pending() (data.Commit, <-chan struct{}) {
	m := w.m
	m.mu.Lock()
	defer m.mu.Unlock()
	if w.reset || w.next < m.oldest() {
		w.reset = false
		w.next = m.rev + 1
		return data.Commit{Rev: m.rev, Reset: true}, nil
	}
	if w.next > m.rev {
		return data.Commit{}, m.changed
	}
	c := m.history[w.next-m.oldest()]
	w.next++
	// A copy, so that a watcher that modifies its ops spoils neither the
	// records nor what the other watchers get.
	return data.Commit{Rev: c.Rev, Ops: cloneOps(c.Ops)}, nil
}

// stop ends the delivery and waits for a call in progress. It may be
// called any number of times, but not from fn, which it would wait for.
func (w *memoryWatch) stop() {
	w.once.Do(func() { close(w.quit) })
	<-w.done
}

// cloneOps returns a deep copy of ops that keeps nil values nil (deletes)
// and empty values empty.
func cloneOps(ops []data.Op) []data.Op {
	out := make([]data.Op, len(ops))
	for i, op := range ops {
		out[i] = data.Op{Key: bytes.Clone(op.Key), Value: bytes.Clone(op.Value), TTL: op.TTL}
	}
	return out
}

// memoryHandle is one open handle on a Memory: what a process holds.
type memoryHandle struct {
	m       *Memory
	mu      sync.Mutex
	closed  bool
	watches map[*memoryWatch]struct{} // the watches Close must stop
	// active counts the calls in progress, which Close waits for. A call
	// made while Close waits (from a Scan's fn) is refused, not counted.
	active sync.WaitGroup
}

// enter starts a call, or says the handle is closed; leave ends it.
func (h *memoryHandle) enter() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return data.ErrClosed
	}
	h.active.Add(1)
	return nil
}

func (h *memoryHandle) leave() { h.active.Done() }

// Commit implements data.Backend.
func (h *memoryHandle) Commit(expect data.Rev, ops []data.Op) (data.Rev, error) {
	if err := h.enter(); err != nil {
		return 0, err
	}
	defer h.leave()
	return h.m.commit(expect, ops)
}

// Rev implements data.Backend.
func (h *memoryHandle) Rev() (data.Rev, error) {
	if err := h.enter(); err != nil {
		return 0, err
	}
	defer h.leave()
	return h.m.revision(), nil
}

// Next implements data.Backend.
func (h *memoryHandle) Next(sequence string) (uint64, error) {
	if err := h.enter(); err != nil {
		return 0, err
	}
	defer h.leave()
	return h.m.next(sequence), nil
}

// Advance implements data.Backend.
func (h *memoryHandle) Advance(sequence string, past uint64) error {
	if err := h.enter(); err != nil {
		return err
	}
	defer h.leave()
	h.m.advance(sequence, past)
	return nil
}

// Get implements data.Backend.
func (h *memoryHandle) Get(key []byte) ([]byte, bool, error) {
	if err := h.enter(); err != nil {
		return nil, false, err
	}
	defer h.leave()
	v, ok := h.m.get(key)
	return v, ok, nil
}

// Scan implements data.Backend. fn runs without any lock held, so it may
// call the other methods, but not Close, which waits for the Scan.
func (h *memoryHandle) Scan(prefix []byte, reverse bool, fn func(key, value []byte) (bool, error)) error {
	if err := h.enter(); err != nil {
		return err
	}
	defer h.leave()
	for _, e := range h.m.snapshot(prefix, reverse) {
		more, err := fn([]byte(e.key), e.value)
		if err != nil {
			return err
		}
		if !more {
			return nil
		}
	}
	return nil
}

// Watch implements data.Backend. stop may be called more than once and
// after Close; neither stop nor Close may be called from fn.
func (h *memoryHandle) Watch(from data.Rev, fn func(data.Commit)) (func(), error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, data.ErrClosed
	}
	w := h.m.watch(from, fn)
	h.watches[w] = struct{}{}
	return func() {
		w.stop()
		h.mu.Lock()
		delete(h.watches, w)
		h.mu.Unlock()
	}, nil
}

// Location implements data.Backend.
func (h *memoryHandle) Location() string { return "memory" }

// Shared: the handles of one Memory stand for the machines that share a
// store, as Redis's do.
func (h *memoryHandle) Shared() bool { return true }

// Close implements data.Backend: it waits for the calls in progress, stops
// the handle's watches, waiting for a delivery in progress, and leaves the
// storage to the other handles.
func (h *memoryHandle) Close() error {
	h.mu.Lock()
	watches := h.watches
	h.watches = nil
	h.closed = true
	h.mu.Unlock()
	h.active.Wait()
	for w := range watches {
		w.stop()
	}
	return nil
}
