// Package backendtest holds every data.Backend to the contract: Run is the
// conformance suite each backend's tests call, and Memory is an in-memory
// backend, itself held to the suite, for the fast tests of the layers above.
package backendtest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"keyward/data"
)

// Config describes the backend under test.
type Config struct {
	// New returns a function that opens a handle on a new, empty storage;
	// every handle it opens shares that storage's records, and opening
	// again after Close reopens it.
	New func(t *testing.T) (open func() (data.Backend, error))
	// Exclusive says the storage admits one open handle at a time: a second
	// Open fails with an error wrapping data.ErrInUse (Badger's directory
	// lock).
	Exclusive bool
}

// patience is how long the suite waits for what must happen eventually (a
// watch's delivery, a TTL's expiry) before it calls the backend broken. It
// is generous so that a loaded machine does not fail the suite; a passing
// backend never makes the suite wait that long.
const patience = 10 * time.Second

// Run runs the conformance suite on the backend c describes. Each subtest
// opens a new storage and closes every handle it opens.
func Run(t *testing.T, c Config) {
	tests := []struct {
		name string
		run  func(t *testing.T, s storage)
	}{
		{"Empty", testEmpty},
		{"Batch", testBatch},
		{"ConcurrentCommits", testConcurrentCommits},
		{"AnyRev", testAnyRev},
		{"Conflict", testConflict},
		{"Revisions", testRevisions},
		{"Sequences", testSequences},
		{"ConcurrentSequences", testConcurrentSequences},
		{"AdvanceSequences", testAdvanceSequences},
		{"Records", testRecords},
		{"Scan", testScan},
		{"ScanBinaryKeys", testScanBinaryKeys},
		{"ScanStops", testScanStops},
		{"ScanSnapshot", testScanSnapshot},
		{"TTL", testTTL},
		{"Watch", testWatch},
		{"WatchFromOld", testWatchFromOld},
		{"WatchStop", testWatchStop},
		{"WatchStopWaits", testWatchStopWaits},
		{"WatchClose", testWatchClose},
		{"Close", testClose},
		{"SecondHandle", testSecondHandle},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, storage{open: c.New(t), exclusive: c.Exclusive})
		})
	}
}

// storage is one new storage of the backend under test.
type storage struct {
	open      func() (data.Backend, error)
	exclusive bool
}

// handle opens a handle on s and closes it when the test ends.
func (s storage) handle(t *testing.T) data.Backend {
	t.Helper()
	b, err := s.open()
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return b
}

// peer returns a second handle on s, as another process would hold, or b
// itself when the storage admits one handle at a time.
func (s storage) peer(t *testing.T, b data.Backend) data.Backend {
	t.Helper()
	if s.exclusive {
		return b
	}
	return s.handle(t)
}

// reopen closes b and opens s again: what a restart of the process does.
func (s storage) reopen(t *testing.T, b data.Backend) data.Backend {
	t.Helper()
	closeHandle(t, b)
	return s.handle(t)
}

func closeHandle(t *testing.T, b data.Backend) {
	t.Helper()
	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func set(key, value string) data.Op {
	return data.Op{Key: []byte(key), Value: []byte(value)}
}

func del(key string) data.Op {
	return data.Op{Key: []byte(key)}
}

func showRev(r data.Rev) string {
	if r == data.AnyRev {
		return "AnyRev"
	}
	return fmt.Sprint(r)
}

// describe returns ops as sorted text, to compare batches whatever order a
// backend delivers their ops in.
func describe(ops []data.Op) []string {
	out := make([]string, len(ops))
	for i, op := range ops {
		if op.Value == nil {
			out[i] = fmt.Sprintf("delete %q", op.Key)
		} else {
			out[i] = fmt.Sprintf("set %q = %q", op.Key, op.Value)
		}
	}
	slices.Sort(out)
	return out
}

func commit(t *testing.T, b data.Backend, expect data.Rev, ops ...data.Op) data.Rev {
	t.Helper()
	desc := describe(ops) // before Commit, which owns ops
	r, err := b.Commit(expect, ops)
	if err != nil {
		t.Fatalf("Commit(%s, %q): %v", showRev(expect), desc, err)
	}
	return r
}

// journal is what a test committed: each revision's ops, described.
type journal map[data.Rev][]string

// commit commits ops on b and notes them in j.
func (j journal) commit(t *testing.T, b data.Backend, expect data.Rev, ops ...data.Op) data.Rev {
	t.Helper()
	desc := describe(ops)
	r := commit(t, b, expect, ops...)
	j[r] = desc
	return r
}

func revision(t *testing.T, b data.Backend) data.Rev {
	t.Helper()
	r, err := b.Rev()
	if err != nil {
		t.Fatalf("Rev: %v", err)
	}
	return r
}

func wantRev(t *testing.T, b data.Backend, want data.Rev) {
	t.Helper()
	if got := revision(t, b); got != want {
		t.Errorf("Rev = %d, want %d", got, want)
	}
}

func next(t *testing.T, b data.Backend, sequence string) uint64 {
	t.Helper()
	n, err := b.Next(sequence)
	if err != nil {
		t.Fatalf("Next(%q): %v", sequence, err)
	}
	return n
}

func wantGet(t *testing.T, b data.Backend, key, want string, wantFound bool) {
	t.Helper()
	v, found, err := b.Get([]byte(key))
	switch {
	case err != nil:
		t.Errorf("Get(%q): %v", key, err)
	case found != wantFound:
		t.Errorf("Get(%q) found = %v, want %v", key, found, wantFound)
	case string(v) != want:
		t.Errorf("Get(%q) = %q, want %q", key, v, want)
	}
}

func rec(key, value string) string { return fmt.Sprintf("%q=%q", key, value) }

// scan returns the records under prefix as rec describes them.
func scan(t *testing.T, b data.Backend, prefix string, reverse bool) []string {
	t.Helper()
	got := []string{}
	err := b.Scan([]byte(prefix), reverse, func(k, v []byte) (bool, error) {
		got = append(got, rec(string(k), string(v)))
		return true, nil
	})
	if err != nil {
		t.Fatalf("Scan(%q, reverse %v): %v", prefix, reverse, err)
	}
	return got
}

// wantScan checks both directions of a Scan: want is in key order.
func wantScan(t *testing.T, b data.Backend, prefix string, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if got := scan(t, b, prefix, false); !slices.Equal(got, want) {
		t.Errorf("Scan(%q) = %q, want %q", prefix, got, want)
	}
	reversed := slices.Clone(want)
	slices.Reverse(reversed)
	if got := scan(t, b, prefix, true); !slices.Equal(got, reversed) {
		t.Errorf("Scan(%q, reverse) = %q, want %q", prefix, got, reversed)
	}
}

// recorder is a watch that keeps the commits it is given and notes any
// breach of the contract: two calls at once, or a call after stop or
// Close returned.
type recorder struct {
	commits  chan data.Commit
	halt     func()
	haltOnce sync.Once
	busy     atomic.Int32 // calls in progress
	over     atomic.Bool  // no call may start any more
	mu       sync.Mutex
	faults   []string
}

// watch starts a recorder on b from revision from; it is stopped, and its
// faults reported, when the test ends.
func watch(t *testing.T, b data.Backend, from data.Rev) *recorder {
	t.Helper()
	r := &recorder{commits: make(chan data.Commit, 1000)}
	halt, err := b.Watch(from, r.deliver)
	if err != nil {
		t.Fatalf("Watch(%d): %v", from, err)
	}
	r.halt = halt
	t.Cleanup(func() {
		r.stop()
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, f := range r.faults {
			t.Error(f)
		}
	})
	return r
}

func (r *recorder) deliver(c data.Commit) {
	if r.busy.Add(1) > 1 {
		r.fault("Watch called fn while another call was in progress")
	}
	defer r.busy.Add(-1)
	if r.over.Load() {
		r.fault(fmt.Sprintf("Watch called fn with revision %d after stop or Close returned", c.Rev))
	}
	c.Ops = cloneOps(c.Ops) // the contract does not say they are the watcher's to keep
	select {
	case r.commits <- c:
	default:
		r.fault(fmt.Sprintf("Watch delivered more than the %d commits the test expects", cap(r.commits)))
	}
}

func (r *recorder) fault(f string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.faults = append(r.faults, f)
}

// stop stops the watch; it may be called more than once, and after Close.
func (r *recorder) stop() {
	r.haltOnce.Do(r.halt)
	r.ended()
}

// ended notes that no call may start any more: stop or Close returned.
func (r *recorder) ended() { r.over.Store(true) }

// next returns the next commit delivered.
func (r *recorder) next(t *testing.T) data.Commit {
	t.Helper()
	select {
	case c := <-r.commits:
		return c
	case <-time.After(patience):
		t.Fatalf("Watch delivered nothing in %v", patience)
		return data.Commit{}
	}
}

// idle checks that nothing is waiting to be read.
func (r *recorder) idle(t *testing.T) {
	t.Helper()
	select {
	case c := <-r.commits:
		t.Errorf("Watch delivered revision %d (reset %v), want nothing", c.Rev, c.Reset)
	default:
	}
}

// wantCommit checks that c is revision rev of j.
func wantCommit(t *testing.T, c data.Commit, rev data.Rev, j journal) {
	t.Helper()
	if c.Reset || c.Rev != rev {
		t.Fatalf("Watch delivered revision %d (reset %v), want revision %d", c.Rev, c.Reset, rev)
	}
	if got := describe(c.Ops); !slices.Equal(got, j[rev]) {
		t.Errorf("Watch delivered revision %d with %q, want %q", rev, got, j[rev])
	}
}

// testEmpty: a new storage has revision 0 and no records.
func testEmpty(t *testing.T, s storage) {
	b := s.handle(t)
	wantRev(t, b, 0)
	if b.Location() == "" {
		t.Error("Location is empty")
	}
	for _, key := range []string{"a", "u/1", "\x00", "\xff"} {
		wantGet(t, b, key, "", false)
	}
	// The backend's own keys, which start with '!', may show under the
	// empty prefix.
	err := b.Scan(nil, false, func(k, v []byte) (bool, error) {
		if !strings.HasPrefix(string(k), "!") {
			t.Errorf("Scan of a new storage found %q=%q", k, v)
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	for _, prefix := range []string{"a", "u/", "\x00", "\xff"} {
		wantScan(t, b, prefix)
	}
}

// testBatch: the ops of a batch all take effect together, and a batch
// refused for a stale revision leaves none visible.
func testBatch(t *testing.T, s storage) {
	b := s.handle(t)
	r := commit(t, b, 0, set("b/1", "one"), set("b/2", "two"), set("b/3", "three"), del("b/none"))
	wantScan(t, b, "b/", rec("b/1", "one"), rec("b/2", "two"), rec("b/3", "three"))
	r = commit(t, b, r, del("b/1"), set("b/2", "deux"), set("b/4", "four"))
	wantScan(t, b, "b/", rec("b/2", "deux"), rec("b/3", "three"), rec("b/4", "four"))

	_, err := b.Commit(r-1, []data.Op{set("b/5", "five"), del("b/2"), set("b/3", "trois")})
	if !errors.Is(err, data.ErrConflict) {
		t.Fatalf("Commit with a stale revision: %v, want an error wrapping data.ErrConflict", err)
	}
	wantScan(t, b, "b/", rec("b/2", "deux"), rec("b/3", "three"), rec("b/4", "four"))
	wantRev(t, b, r)
}

// testConcurrentCommits: goroutines race to commit on the revision they
// read; every winner gets the next revision, every loser ErrConflict, and
// the records are exactly the winners' batches.
func testConcurrentCommits(t *testing.T, s storage) {
	const goroutines, attempts = 8, 20
	a := s.handle(t)
	handles := []data.Backend{a, s.peer(t, a)}
	start := revision(t, a)

	var mu sync.Mutex
	var won []data.Rev
	var want []string
	var wg sync.WaitGroup
	for g := range goroutines {
		b := handles[g%len(handles)]
		wg.Go(func() {
			for i := range attempts {
				read, err := b.Rev()
				if err != nil {
					t.Errorf("Rev: %v", err)
					return
				}
				key := fmt.Sprintf("c/%d/%02d/", g, i)
				r, err := b.Commit(read, []data.Op{set(key+"a", "x"), set(key+"b", "y"), del("c/none")})
				switch {
				case errors.Is(err, data.ErrConflict):
					// Another goroutine committed after read: that is the race.
				case err != nil:
					t.Errorf("Commit(%d): %v", read, err)
					return
				case r != read+1:
					t.Errorf("Commit(%d) returned revision %d, want %d", read, r, read+1)
				default:
					mu.Lock()
					won = append(won, r)
					want = append(want, rec(key+"a", "x"), rec(key+"b", "y"))
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()

	if len(won) == 0 {
		t.Fatal("no commit succeeded")
	}
	slices.Sort(won)
	for i, r := range won {
		if r != start+data.Rev(i)+1 {
			t.Fatalf("the winners' revisions are %d, want each of %d to %d once", won, start+1, start+data.Rev(len(won)))
		}
	}
	for _, b := range handles {
		wantRev(t, b, start+data.Rev(len(won)))
	}
	slices.Sort(want)
	wantScan(t, a, "c/", want...)
	t.Logf("%d of %d commits won", len(won), goroutines*attempts)
}

// testAnyRev: a batch with AnyRev commits whatever the revision, however
// many goroutines commit at once.
func testAnyRev(t *testing.T, s storage) {
	const goroutines, commits = 4, 10
	a := s.handle(t)
	handles := []data.Backend{a, s.peer(t, a)}
	start := commit(t, a, data.AnyRev, set("any/start", "x"))
	if start != 1 {
		t.Errorf("the first commit, with AnyRev, has revision %d, want 1", start)
	}

	var mu sync.Mutex
	var got []data.Rev
	var wg sync.WaitGroup
	for g := range goroutines {
		b := handles[g%len(handles)]
		wg.Go(func() {
			for i := range commits {
				r, err := b.Commit(data.AnyRev, []data.Op{set(fmt.Sprintf("any/%d/%02d", g, i), "x")})
				if err != nil {
					t.Errorf("Commit(AnyRev): %v", err)
					return
				}
				mu.Lock()
				got = append(got, r)
				mu.Unlock()
			}
		})
	}
	wg.Wait()

	slices.Sort(got)
	for i, r := range got {
		if r != start+data.Rev(i)+1 {
			t.Fatalf("AnyRev commits got revisions %d, want each of %d to %d once", got, start+1, start+goroutines*commits)
		}
	}
	wantRev(t, a, start+goroutines*commits)
	want := []string{rec("any/start", "x")}
	for g := range goroutines {
		for i := range commits {
			want = append(want, rec(fmt.Sprintf("any/%d/%02d", g, i), "x"))
		}
	}
	slices.Sort(want)
	wantScan(t, a, "any/", want...)
}

// testConflict: a batch on any revision but the latest is refused and
// changes nothing, including when the latest came from another handle.
func testConflict(t *testing.T, s storage) {
	a := s.handle(t)
	b := s.peer(t, a)
	commit(t, a, 0, set("k/1", "one"))
	r := commit(t, b, 1, set("k/1", "two"))

	for _, expect := range []data.Rev{0, r - 1, r + 1, r + 100} {
		for _, h := range []data.Backend{a, b} {
			_, err := h.Commit(expect, []data.Op{set("k/1", "stale"), set("k/2", "stale")})
			if !errors.Is(err, data.ErrConflict) {
				t.Errorf("Commit(%d) at revision %d: %v, want an error wrapping data.ErrConflict", expect, r, err)
			}
		}
	}
	wantRev(t, a, r)
	wantScan(t, a, "k/", rec("k/1", "two"))
	commit(t, a, r, set("k/2", "fresh"))
	wantScan(t, b, "k/", rec("k/1", "two"), rec("k/2", "fresh"))
}

// testRevisions: each commit is the previous revision plus one, a refused
// one counts for nothing, and reopening never takes the revision back.
func testRevisions(t *testing.T, s storage) {
	b := s.handle(t)
	var r data.Rev
	for i := range 3 {
		expect := r
		if i%2 == 1 {
			expect = data.AnyRev
		}
		if got := commit(t, b, expect, set("r", fmt.Sprint(i))); got != r+1 {
			t.Fatalf("Commit(%s) at revision %d returned %d, want %d", showRev(expect), r, got, r+1)
		}
		r++
		wantRev(t, b, r)
	}
	if _, err := b.Commit(r-1, []data.Op{set("r", "stale")}); !errors.Is(err, data.ErrConflict) {
		t.Fatalf("Commit(%d) at revision %d: %v, want an error wrapping data.ErrConflict", r-1, r, err)
	}
	wantRev(t, b, r)

	for range 2 {
		b = s.reopen(t, b)
		wantRev(t, b, r)
		if got := commit(t, b, r, set("r", "again")); got != r+1 {
			t.Fatalf("the first commit after reopening at revision %d returned %d, want %d", r, got, r+1)
		}
		r++
	}
	wantGet(t, b, "r", "again", true)
}

// testSequences: a sequence hands out positive, increasing values, each
// name its own, across handles and across reopening.
func testSequences(t *testing.T, s storage) {
	a := s.handle(t)
	b := s.peer(t, a)
	last := map[string]uint64{}
	take := func(h data.Backend, name string) {
		t.Helper()
		n := next(t, h, name)
		if n == 0 || n <= last[name] {
			t.Fatalf("Next(%q) = %d after %d, want a larger positive value", name, n, last[name])
		}
		last[name] = n
	}
	for i := range 12 {
		take(a, "keys")
		take(b, "keys")
		if i%3 == 0 {
			take(a, "users")
			take(b, "roles")
		}
	}

	closeHandle(t, b)
	a = s.reopen(t, a)
	for _, name := range []string{"keys", "users", "roles"} {
		take(a, name)
	}
	take(a, "new")
	wantRev(t, a, 0) // sequences are not commits
}

// testAdvanceSequences: Advance moves a sequence on, never back, on every
// handle and across a reopen.
func testAdvanceSequences(t *testing.T, s storage) {
	a := s.handle(t)
	b := s.peer(t, a)
	first := next(t, a, "ids")
	for _, tt := range []struct {
		past uint64
		name string
	}{{first + 1000, "ids"}, {5000, "fresh"}} {
		if err := a.Advance(tt.name, tt.past); err != nil {
			t.Fatalf("Advance(%q, %d): %v", tt.name, tt.past, err)
		}
		if n := next(t, b, tt.name); n <= tt.past {
			t.Fatalf("after Advance(%q, %d), Next = %d", tt.name, tt.past, n)
		}
	}
	// A sequence beyond past stays where it is.
	before := next(t, a, "ids")
	if err := a.Advance("ids", 3); err != nil {
		t.Fatal(err)
	}
	if n := next(t, a, "ids"); n <= before {
		t.Fatalf("Advance to a lower value moved the sequence back: %d after %d", n, before)
	}
	closeHandle(t, b)
	a = s.reopen(t, a)
	if n := next(t, a, "fresh"); n <= 5000 {
		t.Fatalf("after reopening, Next(%q) = %d, want above 5000", "fresh", n)
	}
	wantRev(t, a, 0) // sequences are not commits
}

// testConcurrentSequences: goroutines calling Next at once, on one handle
// or two, never get the same value.
func testConcurrentSequences(t *testing.T, s storage) {
	const goroutines, calls = 8, 20
	a := s.handle(t)
	handles := []data.Backend{a, s.peer(t, a)}

	got := make([][]uint64, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		b := handles[g%len(handles)]
		wg.Go(func() {
			for range calls {
				n, err := b.Next("ids")
				if err != nil {
					t.Errorf("Next: %v", err)
					return
				}
				got[g] = append(got[g], n)
			}
		})
	}
	wg.Wait()

	seen := map[uint64]int{}
	for g, values := range got {
		var prev uint64
		for _, n := range values {
			if n <= prev {
				t.Errorf("goroutine %d got %d from Next after %d, want a larger positive value", g, n, prev)
			}
			prev = n
			if other, ok := seen[n]; ok {
				t.Errorf("Next handed out %d to goroutines %d and %d", n, other, g)
			}
			seen[n] = g
		}
	}
}

// testRecords: Get finds what was set, not what was overwritten or
// deleted, and returns a copy.
func testRecords(t *testing.T, s storage) {
	b := s.handle(t)
	bin := "g/\x00\xff\x01"
	commit(t, b, data.AnyRev, set("g/k", "value"), set(bin, "\x00bytes\xff"), set("g/empty", ""))
	wantGet(t, b, "g/k", "value", true)
	wantGet(t, b, bin, "\x00bytes\xff", true)
	// An empty value is a record: only a nil Value deletes.
	wantGet(t, b, "g/empty", "", true)
	wantGet(t, b, "g/", "", false)
	wantGet(t, b, "g/k/", "", false)

	v, _, err := b.Get([]byte("g/k"))
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	copy(v, "XXXXX")
	wantGet(t, b, "g/k", "value", true)

	commit(t, b, data.AnyRev, set("g/k", "overwritten"))
	wantGet(t, b, "g/k", "overwritten", true)
	commit(t, b, data.AnyRev, del("g/k"), del("g/never"))
	wantGet(t, b, "g/k", "", false)
	wantGet(t, b, "g/never", "", false)
	wantScan(t, b, "g/", rec(bin, "\x00bytes\xff"), rec("g/empty", ""))
}

// testScan: Scan returns the records under a prefix in bytewise order,
// forwards or backwards, and nothing beside the prefix.
func testScan(t *testing.T, s storage) {
	b := s.handle(t)
	keys := []string{
		"t", "t\xff", "u", "u.", "u0", "u/", "u/\x00", "u/a", "u/a/b", "u/b",
		"u/\xff", "u/\xff\x00", "u/\xff\xff", "u/\xff\xff\x01", "v", "\xff", "\xff\xff",
	}
	var ops []data.Op
	for _, k := range slices.Backward(keys) { // the order of a batch does not matter
		ops = append(ops, set(k, "value of "+k))
	}
	commit(t, b, data.AnyRev, ops...)

	tests := []struct {
		prefix string
		want   []string // in key order
	}{
		{"u/", []string{"u/", "u/\x00", "u/a", "u/a/b", "u/b", "u/\xff", "u/\xff\x00", "u/\xff\xff", "u/\xff\xff\x01"}},
		{"u", []string{"u", "u.", "u/", "u/\x00", "u/a", "u/a/b", "u/b", "u/\xff", "u/\xff\x00", "u/\xff\xff", "u/\xff\xff\x01", "u0"}},
		{"u/a", []string{"u/a", "u/a/b"}},
		{"u/\xff", []string{"u/\xff", "u/\xff\x00", "u/\xff\xff", "u/\xff\xff\x01"}},
		{"u/\xff\xff", []string{"u/\xff\xff", "u/\xff\xff\x01"}},
		{"t", []string{"t", "t\xff"}},
		{"\xff", []string{"\xff", "\xff\xff"}},
		{"v", []string{"v"}},
		{"w", nil},
		{"u/c", nil},
	}
	for _, tt := range tests {
		var want []string
		for _, k := range tt.want {
			want = append(want, rec(k, "value of "+k))
		}
		wantScan(t, b, tt.prefix, want...)
	}
}

// testScanBinaryKeys: 8-byte big-endian ids come back in numeric order.
func testScanBinaryKeys(t *testing.T, s storage) {
	b := s.handle(t)
	ids := []uint64{1 << 56, 255, 1, 1<<64 - 1, 256, 1 << 32, 0, 1<<63 + 1, 65535, 1 << 63}
	key := func(id uint64) string { return string(binary.BigEndian.AppendUint64([]byte("i/"), id)) }
	var ops []data.Op
	for _, id := range ids {
		ops = append(ops, set(key(id), fmt.Sprint(id)))
	}
	commit(t, b, data.AnyRev, ops...)

	slices.Sort(ids)
	var want []string
	for _, id := range ids {
		want = append(want, rec(key(id), fmt.Sprint(id)))
	}
	wantScan(t, b, "i/", want...)
}

// testScanStops: Scan stops when fn returns false, and returns fn's error.
func testScanStops(t *testing.T, s storage) {
	b := s.handle(t)
	commit(t, b, data.AnyRev, set("p/1", "a"), set("p/2", "b"), set("p/3", "c"), set("p/4", "d"))
	errStop := errors.New("stop here")
	tests := []struct {
		reverse bool
		calls   int   // the call that stops the scan
		err     error // the error that call returns, or nil to return false
		want    []string
	}{
		{false, 2, nil, []string{"p/1", "p/2"}},
		{true, 2, nil, []string{"p/4", "p/3"}},
		{false, 1, errStop, []string{"p/1"}},
		{true, 3, errStop, []string{"p/4", "p/3", "p/2"}},
	}
	for _, tt := range tests {
		var got []string
		err := b.Scan([]byte("p/"), tt.reverse, func(k, _ []byte) (bool, error) {
			got = append(got, string(k))
			if len(got) == tt.calls {
				return false, tt.err
			}
			return true, nil
		})
		if !errors.Is(err, tt.err) {
			t.Errorf("Scan(reverse %v) stopped at call %d by %v returned %v", tt.reverse, tt.calls, tt.err, err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Scan(reverse %v) stopped at call %d by %v called fn with %q, want %q", tt.reverse, tt.calls, tt.err, got, tt.want)
		}
	}
}

// testScanSnapshot: a batch committed while a Scan runs shows in all of
// it or none of it.
func testScanSnapshot(t *testing.T, s storage) {
	b := s.handle(t)
	before := []string{rec("n/1", "old"), rec("n/2", "old"), rec("n/3", "old"), rec("n/4", "old"), rec("n/5", "old")}
	after := []string{rec("n/1", "old"), rec("n/2", "old"), rec("n/3", "new"), rec("n/4", "old"), rec("n/6", "new")}
	for _, reverse := range []bool{false, true} {
		commit(t, b, data.AnyRev, set("n/1", "old"), set("n/2", "old"), set("n/3", "old"), set("n/4", "old"), set("n/5", "old"), del("n/6"))
		var got []string
		done := make(chan error, 1)
		err := b.Scan([]byte("n/"), reverse, func(k, v []byte) (bool, error) {
			if got == nil {
				go func() {
					_, err := b.Commit(data.AnyRev, []data.Op{set("n/3", "new"), del("n/5"), set("n/6", "new")})
					done <- err
				}()
				// A backend may hold commits back until the Scan ends;
				// then this wait is all the Scan gives them.
				select {
				case err := <-done:
					done <- err
				case <-time.After(500 * time.Millisecond):
				}
			}
			got = append(got, rec(string(k), string(v)))
			return true, nil
		})
		if err != nil {
			t.Fatalf("Scan: %v", err)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("Commit during a Scan: %v", err)
			}
		case <-time.After(patience):
			t.Fatalf("a Commit started during a Scan did not end in %v after it", patience)
		}
		if reverse {
			slices.Reverse(got)
		}
		if !slices.Equal(got, before) && !slices.Equal(got, after) {
			t.Errorf("Scan(reverse %v) during a commit saw %q, want either %q or %q", reverse, got, before, after)
		}
	}
}

// testTTL: a record with a TTL is visible at once and gone, from Get and
// Scan, some time after.
func testTTL(t *testing.T, s storage) {
	b := s.handle(t)
	// Two seconds, not one: a backend that counts expiry in whole seconds
	// may expire a one-second record within a moment of the commit.
	const ttl = 2 * time.Second
	committed := time.Now()
	commit(t, b, data.AnyRev, set("t/keep", "kept"), data.Op{Key: []byte("t/gone"), Value: []byte("brief"), TTL: ttl})
	wantGet(t, b, "t/gone", "brief", true)
	wantScan(t, b, "t/", rec("t/gone", "brief"), rec("t/keep", "kept"))

	for {
		_, found, err := b.Get([]byte("t/gone"))
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if !found {
			break
		}
		if time.Since(committed) > ttl+patience {
			t.Fatalf("a record with a TTL of %v is still there after %v", ttl, time.Since(committed))
		}
		time.Sleep(50 * time.Millisecond)
	}
	wantScan(t, b, "t/", rec("t/keep", "kept"))
	wantGet(t, b, "t/keep", "kept", true)
}

// testWatch: a watch is given every later commit, of its own handle or
// another, in order, with its ops; one started at the latest revision
// sees only what comes after. The commits come faster than the watches
// read them, so a backend must not give up on a watch (Reset it) for being
// a few commits behind.
func testWatch(t *testing.T, s storage) {
	a := s.handle(t)
	b := s.peer(t, a)
	j := journal{}
	start := j.commit(t, a, data.AnyRev, set("w/before", "x"))
	all := watch(t, a, start)
	other := watch(t, b, start)

	j.commit(t, a, start, set("w/1", "one"), set("w/2", "\x00two\xff"))
	mid := j.commit(t, b, start+1, set("w/1", "uno"), del("w/2"))
	late := watch(t, a, mid)
	j.commit(t, a, data.AnyRev, del("w/1"), set("w/3", "three"), set("w/\xff", "ff"))
	last := j.commit(t, b, mid+1, set("w/4", "four"))

	for _, w := range []struct {
		name string
		r    *recorder
		from data.Rev
	}{{"watch on the committing handle", all, start}, {"watch on the other handle", other, start}, {"watch started later", late, mid}} {
		for rev := w.from + 1; rev <= last; rev++ {
			wantCommit(t, w.r.next(t), rev, j)
		}
		w.r.idle(t)
	}
}

// testWatchFromOld: a watch from a revision before the latest is given
// either the commits since or a Reset, then every later commit.
func testWatchFromOld(t *testing.T, s storage) {
	b := s.handle(t)
	j := journal{}
	for i := range 5 {
		j.commit(t, b, data.AnyRev, set(fmt.Sprintf("o/%d", i), "x"))
	}
	for _, from := range []data.Rev{0, 2} {
		last := revision(t, b)
		r := watch(t, b, from)
		want := from + 1
		if c := r.next(t); c.Reset {
			if c.Rev < from || c.Rev > last || len(c.Ops) != 0 {
				t.Fatalf("Watch(%d) at revision %d delivered a Reset at %d with %d ops, want one between %d and %d with none", from, last, c.Rev, len(c.Ops), from, last)
			}
			want = c.Rev + 1
		} else {
			wantCommit(t, c, want, j)
			want++
		}
		last = j.commit(t, b, data.AnyRev, set("o/live", fmt.Sprint(from)))
		for ; want <= last; want++ {
			wantCommit(t, r.next(t), want, j)
		}
		r.idle(t)
	}
}

// testWatchStop: once stop returns, the watch is given nothing more.
func testWatchStop(t *testing.T, s storage) {
	b := s.handle(t)
	j := journal{}
	r := watch(t, b, 0)
	first := j.commit(t, b, data.AnyRev, set("s/1", "x"))
	wantCommit(t, r.next(t), first, j)
	r.stop()

	// The commit reaching a watch started after stop is the sign that the
	// stopped one would have been given it by now.
	sentinel := watch(t, b, first)
	j.commit(t, b, data.AnyRev, set("s/2", "x"))
	wantCommit(t, sentinel.next(t), first+1, j)
	r.idle(t)
}

// testWatchStopWaits: stop waits for the call in progress to return.
func testWatchStopWaits(t *testing.T, s storage) {
	b := s.handle(t)
	entered, release := make(chan struct{}), make(chan struct{})
	var releaseOnce sync.Once
	var calls atomic.Int32
	halt, err := b.Watch(0, func(data.Commit) {
		if calls.Add(1) == 1 {
			close(entered)
			<-release
		}
	})
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	// Registered after the handle's Close, so it runs before it.
	t.Cleanup(func() { releaseOnce.Do(func() { close(release) }) })

	commit(t, b, data.AnyRev, set("s/1", "x"))
	select {
	case <-entered:
	case <-time.After(patience):
		t.Fatalf("Watch delivered nothing in %v", patience)
	}
	stopped := make(chan struct{})
	go func() {
		halt()
		close(stopped)
	}()
	select {
	case <-stopped:
		t.Error("stop returned while fn was still running")
	case <-time.After(100 * time.Millisecond):
	}
	releaseOnce.Do(func() { close(release) })
	select {
	case <-stopped:
	case <-time.After(patience):
		t.Fatalf("stop did not return in %v after fn did", patience)
	}

	sentinel := watch(t, b, 1)
	commit(t, b, data.AnyRev, set("s/2", "x"))
	sentinel.next(t)
	if n := calls.Load(); n != 1 {
		t.Errorf("fn was called %d times, want once: stop must end the delivery", n)
	}
}

// testWatchClose: closing a handle ends its watches.
func testWatchClose(t *testing.T, s storage) {
	a := s.handle(t)
	j := journal{}
	r := watch(t, a, 0)
	first := j.commit(t, a, data.AnyRev, set("c/1", "x"))
	wantCommit(t, r.next(t), first, j)
	closeHandle(t, a)
	r.ended()

	b := s.handle(t)
	sentinel := watch(t, b, first)
	j.commit(t, b, data.AnyRev, set("c/2", "x"))
	wantCommit(t, sentinel.next(t), first+1, j)
	r.idle(t)
}

// testClose: a closed handle refuses everything but Close and Location,
// and a reopened storage has everything committed before.
func testClose(t *testing.T, s storage) {
	b := s.handle(t)
	r := commit(t, b, data.AnyRev, set("z/1", "one"), set("z/2", "two"))
	r = commit(t, b, r, del("z/2"), set("z/3", "three"))
	n := next(t, b, "z")
	closeHandle(t, b)

	calls := []struct {
		name string
		call func() error
	}{
		{"Commit", func() error { _, err := b.Commit(data.AnyRev, []data.Op{set("z/4", "x")}); return err }},
		{"Rev", func() error { _, err := b.Rev(); return err }},
		{"Next", func() error { _, err := b.Next("z"); return err }},
		{"Advance", func() error { return b.Advance("z", 10) }},
		{"Get", func() error { _, _, err := b.Get([]byte("z/1")); return err }},
		{"Scan", func() error {
			return b.Scan([]byte("z/"), false, func(k, _ []byte) (bool, error) {
				t.Errorf("Scan after Close called fn with %q", k)
				return true, nil
			})
		}},
		{"Watch", func() error {
			halt, err := b.Watch(0, func(data.Commit) {})
			if err == nil {
				halt()
			}
			return err
		}},
	}
	for _, c := range calls {
		if err := c.call(); !errors.Is(err, data.ErrClosed) {
			t.Errorf("%s after Close: %v, want an error wrapping data.ErrClosed", c.name, err)
		}
	}
	if err := b.Close(); err != nil {
		t.Errorf("the second Close: %v, want nil", err)
	}
	if b.Location() == "" {
		t.Error("Location after Close is empty")
	}

	b = s.handle(t)
	wantRev(t, b, r)
	wantScan(t, b, "z/", rec("z/1", "one"), rec("z/3", "three"))
	if m := next(t, b, "z"); m <= n {
		t.Errorf("Next after reopening = %d, want more than %d", m, n)
	}
}

// testSecondHandle: an exclusive storage refuses a second handle and the
// first keeps working; a shared one lets each handle see the other's
// commits.
func testSecondHandle(t *testing.T, s storage) {
	a := s.handle(t)
	commit(t, a, 0, set("h/a", "from a"))
	if !s.exclusive {
		b := s.handle(t)
		wantGet(t, b, "h/a", "from a", true)
		commit(t, b, 1, set("h/b", "from b"))
		wantRev(t, a, 2)
		wantScan(t, a, "h/", rec("h/a", "from a"), rec("h/b", "from b"))
		return
	}

	b, err := s.open()
	if err == nil {
		b.Close()
		t.Fatal("a second open of an exclusive storage succeeded")
	}
	if !errors.Is(err, data.ErrInUse) {
		t.Errorf("a second open: %v, want an error wrapping data.ErrInUse", err)
	}
	commit(t, a, 1, set("h/b", "from a again"))
	wantScan(t, a, "h/", rec("h/a", "from a"), rec("h/b", "from a again"))

	a = s.reopen(t, a)
	wantRev(t, a, 2)
	wantScan(t, a, "h/", rec("h/a", "from a"), rec("h/b", "from a again"))
}
