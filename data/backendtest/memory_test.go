package backendtest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"keyward/data"
)

// TestMemory holds Memory to the contract every backend keeps.
func TestMemory(t *testing.T) {
	Run(t, Config{New: func(*testing.T) func() (data.Backend, error) { return NewMemory().Open }})
}

// TestMemoryHistory: a watch from before the history, or from beyond the
// latest revision, gets a Reset at the latest revision; one within the
// history gets the commits it missed.
func TestMemoryHistory(t *testing.T) {
	m := NewMemoryWithHistory(3)
	b := open(t, m)
	j := journal{}
	for i := range 5 {
		j.commit(t, b, data.AnyRev, set(fmt.Sprintf("h/%d", i), "x"))
	}
	tests := []struct {
		from  data.Rev
		reset bool // else the commits from from+1 to 5
	}{
		{0, true},
		{1, true},
		{2, false},
		{4, false},
		{5, false},
		{6, true},
		{data.AnyRev, true},
	}
	for _, tt := range tests {
		t.Run(showRev(tt.from), func(t *testing.T) {
			r := watch(t, b, tt.from)
			want := tt.from + 1
			if tt.reset {
				if c := r.next(t); !c.Reset || c.Rev != 5 || len(c.Ops) != 0 {
					t.Fatalf("Watch(%s) delivered %+v first, want a Reset at revision 5", showRev(tt.from), c)
				}
				want = 6
			}
			for ; want <= 5; want++ {
				wantCommit(t, r.next(t), want, j)
			}
			r.idle(t)
		})
	}
}

// TestMemoryFallsBehind: a watcher so slow that the history no longer
// reaches it gets a Reset at the latest revision, then the later commits,
// while a prompt one misses nothing.
func TestMemoryFallsBehind(t *testing.T) {
	b := open(t, NewMemoryWithHistory(2))
	j := journal{}
	prompt := watch(t, b, 0)
	slow, entered, release := gatedWatch(t, b, 0)

	first := j.commit(t, b, data.AnyRev, set("f/0", "x"))
	wait(t, entered)
	wantCommit(t, prompt.next(t), first, j)
	for i := range 5 {
		r := j.commit(t, b, data.AnyRev, set(fmt.Sprintf("f/%d", i+1), "x"))
		wantCommit(t, prompt.next(t), r, j)
	}
	release()
	wantCommit(t, slow.next(t), first, j)
	if c := slow.next(t); !c.Reset || c.Rev != first+5 {
		t.Fatalf("after falling behind, the slow watcher got revision %d (reset %v), want a Reset at %d", c.Rev, c.Reset, first+5)
	}
	late := j.commit(t, b, data.AnyRev, set("f/late", "x"))
	wantCommit(t, slow.next(t), late, j)
	wantCommit(t, prompt.next(t), late, j)
}

// TestMemoryFailCommits: while FailCommits is set, every handle's Commit
// returns its error and changes nothing; watches see nothing of it.
func TestMemoryFailCommits(t *testing.T) {
	m := NewMemory()
	a, b := open(t, m), open(t, m)
	j := journal{}
	r := j.commit(t, a, 0, set("x/1", "one"))
	w := watch(t, b, r)

	errDisk := errors.New("disk full")
	m.FailCommits(errDisk)
	for _, h := range []data.Backend{a, b} {
		for _, expect := range []data.Rev{r, r + 1, data.AnyRev} {
			if _, err := h.Commit(expect, []data.Op{set("x/1", "lost"), set("x/2", "lost")}); !errors.Is(err, errDisk) {
				t.Errorf("Commit(%s) while failing: %v, want %v", showRev(expect), err, errDisk)
			}
		}
	}
	wantRev(t, b, r)
	wantScan(t, b, "x/", rec("x/1", "one"))

	m.FailCommits(nil)
	next := j.commit(t, b, r, set("x/2", "two"))
	wantCommit(t, w.next(t), next, j)
	wantScan(t, a, "x/", rec("x/1", "one"), rec("x/2", "two"))
}

// TestMemoryEmptyBatch: an empty batch is checked against expect and
// committed as a revision with no ops.
func TestMemoryEmptyBatch(t *testing.T) {
	b := open(t, NewMemory())
	r := commit(t, b, 0, set("e/1", "x"))
	w := watch(t, b, r)
	if _, err := b.Commit(r-1, nil); !errors.Is(err, data.ErrConflict) {
		t.Errorf("an empty batch on a stale revision: %v, want an error wrapping data.ErrConflict", err)
	}
	if got := commit(t, b, r); got != r+1 {
		t.Errorf("an empty batch at revision %d got revision %d, want %d", r, got, r+1)
	}
	if c := w.next(t); c.Reset || c.Rev != r+1 || len(c.Ops) != 0 {
		t.Errorf("Watch delivered revision %d (reset %v) with %d ops, want revision %d with none", c.Rev, c.Reset, len(c.Ops), r+1)
	}
	wantScan(t, b, "e/", rec("e/1", "x"))
}

// TestMemoryWatchCopies: a watcher that modifies the ops it is given
// changes neither the records nor what other watchers get.
func TestMemoryWatchCopies(t *testing.T) {
	b := open(t, NewMemory())
	j := journal{}
	vandalized := make(chan struct{})
	vandal, err := b.Watch(0, func(c data.Commit) {
		for _, op := range c.Ops {
			copy(op.Key, "XX")
			copy(op.Value, "XX")
		}
		close(vandalized)
	})
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	t.Cleanup(vandal)
	r := j.commit(t, b, data.AnyRev, set("v/1", "one"))
	wait(t, vandalized)
	w := watch(t, b, 0)
	wantCommit(t, w.next(t), r, j)
	wantGet(t, b, "v/1", "one", true)
}

// TestMemoryCloseWaits: Close waits for a watch's call in progress, and
// leaves the storage to the other handles.
func TestMemoryCloseWaits(t *testing.T) {
	m := NewMemory()
	a, b := open(t, m), open(t, m)
	_, entered, release := gatedWatch(t, a, 0)
	commit(t, b, data.AnyRev, set("w/1", "x"))
	wait(t, entered)

	closed := make(chan struct{})
	go func() {
		a.Close()
		close(closed)
	}()
	select {
	case <-closed:
		t.Fatal("Close returned while a watch's call was in progress")
	case <-time.After(100 * time.Millisecond):
	}
	release()
	wait(t, closed)
	commit(t, b, data.AnyRev, set("w/2", "x"))
	wantScan(t, b, "w/", rec("w/1", "x"), rec("w/2", "x"))
}

// gatedWatch starts a recorder whose first call closes entered and then
// waits for release, which the test ends by calling if it has not.
func gatedWatch(t *testing.T, b data.Backend, from data.Rev) (r *recorder, entered chan struct{}, release func()) {
	t.Helper()
	entered, gate := make(chan struct{}), make(chan struct{})
	release = sync.OnceFunc(func() { close(gate) })
	r = &recorder{commits: make(chan data.Commit, 100)}
	var first sync.Once
	halt, err := b.Watch(from, func(c data.Commit) {
		first.Do(func() {
			close(entered)
			<-gate
		})
		r.deliver(c)
	})
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	t.Cleanup(func() {
		release()
		halt()
	})
	return r, entered, release
}

func wait(t *testing.T, ch <-chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(patience):
		t.Fatalf("nothing happened in %v", patience)
	}
}

func open(t *testing.T, m *Memory) data.Backend {
	t.Helper()
	return storage{open: m.Open}.handle(t)
}
