package redis

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"keyward/data"
	"keyward/data/redis/redistest"
)

// unreachableWithin is how long an unreachable store may take to say so.
const unreachableWithin = 5 * time.Second

func mustOpen(t testing.TB, url string) *Backend {
	t.Helper()
	b, err := Open(url, Options{Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func set(key, value string) data.Op { return data.Op{Key: []byte(key), Value: []byte(value)} }

func wantUnreachable(t *testing.T, what string, err error, location string, took time.Duration) {
	t.Helper()
	prefix := "The shared store at " + location + " is unreachable: "
	switch {
	case !errors.Is(err, data.ErrUnreachable) || data.ErrorCode(err) != data.EUnavailable:
		t.Errorf("%s: %v (code %q), want an error wrapping data.ErrUnreachable", what, err, data.ErrorCode(err))
	case !strings.HasPrefix(err.Error(), prefix) || len(err.Error()) == len(prefix):
		t.Errorf("%s: %q, want %q and the cause", what, err, prefix)
	case took > unreachableWithin:
		t.Errorf("%s took %v, want the error within %v", what, took, unreachableWithin)
	}
}

// TestUnreachableServer: a store nobody answers at is a clear error
// within five seconds, whether nothing listens or a server accepts the
// connection and says nothing.
func TestUnreachableServer(t *testing.T) {
	refused, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := refused.Addr().String()
	refused.Close()

	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	var held []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	}()

	socket := filepath.Join(t.TempDir(), "nobody.sock")
	tests := []struct{ name, url, location string }{
		{"a socket nobody listens on", "unix://" + socket + "?account=team", "unix://" + socket + " (account team)"},
		{"a closed port", "redis://:secret@" + closedPort + "/1", "redis://" + closedPort + "/1 (account default)"},
		{"a server that never answers", "redis://" + silent.Addr().String(), "redis://" + silent.Addr().String() + " (account default)"},
	}
	var wg sync.WaitGroup
	for _, tt := range tests {
		wg.Go(func() {
			start := time.Now()
			b, err := Open(tt.url, Options{})
			if err == nil {
				b.Close()
				t.Errorf("Open of %s succeeded", tt.name)
				return
			}
			wantUnreachable(t, "Open of "+tt.name, err, tt.location, time.Since(start))
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("Open of %s: %q repeats the password", tt.name, err)
			}
		})
	}
	wg.Wait()
}

// TestOutage: while the server is down every call says the store is
// unreachable, within five seconds; once it is back, the same Backend
// works again, and nothing acknowledged before was lost.
func TestOutage(t *testing.T) {
	srv := redistest.Start(t)
	account := redistest.Account()
	b := mustOpen(t, srv.URL(account))
	rev, err := b.Commit(data.AnyRev, []data.Op{set("o/1", "before")})
	if err != nil {
		t.Fatal(err)
	}
	srv.Kill()

	calls := []struct {
		name string
		call func() error
	}{
		{"Commit", func() error { _, err := b.Commit(data.AnyRev, []data.Op{set("o/2", "during")}); return err }},
		{"Rev", func() error { _, err := b.Rev(); return err }},
		{"Get", func() error { _, _, err := b.Get([]byte("o/1")); return err }},
		{"Scan", func() error { return b.Scan([]byte("o/"), false, func(_, _ []byte) (bool, error) { return true, nil }) }},
		{"Next", func() error { _, err := b.Next("ids"); return err }},
		{"Advance", func() error { return b.Advance("ids", 10) }},
	}
	for _, c := range calls {
		start := time.Now()
		err := c.call()
		wantUnreachable(t, c.name+" during an outage", err, b.Location(), time.Since(start))
	}

	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	eventuallyOK(t, "a commit once the server is back", func() error {
		_, err := b.Commit(rev, []data.Op{set("o/2", "after")})
		return err
	})
	if v, ok, err := b.Get([]byte("o/1")); err != nil || !ok || string(v) != "before" {
		t.Fatalf("after the restart o/1 = %q, %v, %v", v, ok, err)
	}
}

// eventuallyOK calls f until it succeeds, for up to five seconds.
func eventuallyOK(t *testing.T, what string, f func() error) {
	t.Helper()
	deadline := time.Now().Add(unreachableWithin)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still %v after %v", what, err, unreachableWithin)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// logRecorder keeps what a Backend logs.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (l *logRecorder) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logRecorder) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lines)
}

// TestRestartLosesNothingAcknowledged kills Redis (SIGKILL, with the
// append-only file on) while batches are being committed, and starts it
// again on the same directory: every batch acknowledged before is there,
// the revision went on from where it was, and a watch that lived through
// it delivers every batch after, or a Reset, and then the later ones. The
// watch logs the outage once, and its end once.
func TestRestartLosesNothingAcknowledged(t *testing.T) {
	srv := redistest.Start(t)
	url := srv.URL(redistest.Account())
	var log logRecorder
	b, err := Open(url, Options{Logf: log.logf})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	delivered := make(chan data.Commit, 10000)
	stop, err := b.Watch(0, func(c data.Commit) { delivered <- c })
	if err != nil {
		t.Fatal(err)
	}
	defer stop()

	var acked []string
	var lastAcked data.Rev
	commit := func(i int) error {
		key := fmt.Sprintf("r/%05d", i)
		rev, err := b.Commit(data.AnyRev, []data.Op{set(key, "v")})
		if err == nil {
			acked = append(acked, key)
			lastAcked = rev
		}
		return err
	}
	i := 0
	for ; i < 200; i++ {
		if err := commit(i); err != nil {
			t.Fatal(err)
		}
	}
	// Kill it while a writer commits as fast as it can.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ; ; i++ {
			if err := commit(i); err != nil {
				wantUnreachable(t, "a commit while Redis is killed", err, b.Location(), 0)
				return
			}
		}
	}()
	time.Sleep(50 * time.Millisecond)
	srv.Kill()
	<-done
	time.Sleep(3 * maxBackoff) // the watch retries a few times meanwhile
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	eventuallyOK(t, "a commit once Redis is back", func() error { return commit(i) })
	i++
	for end := i + 300; i < end; i++ {
		if err := commit(i); err != nil {
			t.Fatal(err)
		}
	}

	var found []string
	err = b.Scan([]byte("r/"), false, func(k, _ []byte) (bool, error) {
		found = append(found, string(k))
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range acked {
		if _, ok := slices.BinarySearch(found, k); !ok {
			t.Fatalf("%s was acknowledged before Redis was killed, and is gone after its restart", k)
		}
	}
	if rev, err := b.Rev(); err != nil || rev < lastAcked {
		t.Fatalf("revision %d after the restart (%v), want at least %d", rev, err, lastAcked)
	}
	t.Logf("%d batches acknowledged, %d records after the restart", len(acked), len(found))

	// The watch went on: in order, with no gap but a Reset, to the last.
	var next data.Rev = 1
	for next <= lastAcked {
		select {
		case c := <-delivered:
			switch {
			case c.Reset && c.Rev >= next-1:
				next = c.Rev + 1
			case c.Reset || c.Rev != next:
				t.Fatalf("the watch delivered revision %d (reset %v), want %d", c.Rev, c.Reset, next)
			default:
				next++
			}
		case <-time.After(unreachableWithin):
			t.Fatalf("the watch stopped at revision %d after the restart, want %d", next-1, lastAcked)
		}
	}
	lines := log.all()
	if len(lines) != 2 || !strings.Contains(lines[0], "is unreachable") || !strings.Contains(lines[1], "answers again") {
		t.Fatalf("the watch logged %q, want the outage once and its end once", lines)
	}
}

// TestTrimmedHistory: the feed keeps about feedLength batches. A watch
// from further back is given a Reset, then every later batch; a scan that
// outlasts the feed fails with a conflict rather than show two states.
func TestTrimmedHistory(t *testing.T) {
	srv := redistest.Shared(t)
	b := mustOpen(t, srv.URL(redistest.Account()))
	var ops []data.Op
	for i := range pageSize + 10 {
		ops = append(ops, set(fmt.Sprintf("h/%04d", i), "v"))
	}
	if _, err := b.Commit(0, ops); err != nil {
		t.Fatal(err)
	}
	calls := 0
	err := b.Scan([]byte("h/"), false, func(_, _ []byte) (bool, error) {
		if calls++; calls == 1 {
			for i := range feedLength + 300 {
				if _, err := b.Commit(data.AnyRev, []data.Op{set(fmt.Sprintf("h/%04d", i%(pageSize+10)), fmt.Sprint(i))}); err != nil {
					return false, err
				}
			}
		}
		return true, nil
	})
	if !errors.Is(err, data.ErrConflict) || data.ErrorCode(err) != data.EConflict || calls != pageSize {
		t.Errorf("a scan that outlasted the feed: %v after %d records, want a conflict after the first page", err, calls)
	}

	last, err := b.Rev()
	if err != nil {
		t.Fatal(err)
	}
	delivered := make(chan data.Commit, 10)
	stop, err := b.Watch(1, func(c data.Commit) { delivered <- c })
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	c := <-delivered
	if !c.Reset || c.Rev < 1 || c.Rev > last {
		t.Fatalf("a watch from revision 1 of %d first got revision %d (reset %v), want a Reset", last, c.Rev, c.Reset)
	}
	for want := c.Rev + 1; want <= last+1; want++ {
		if want == last+1 {
			if _, err := b.Commit(data.AnyRev, []data.Op{set("h/last", "v")}); err != nil {
				t.Fatal(err)
			}
		}
		select {
		case c := <-delivered:
			if c.Reset || c.Rev != want {
				t.Fatalf("after the Reset the watch got revision %d (reset %v), want %d", c.Rev, c.Reset, want)
			}
		case <-time.After(unreachableWithin):
			t.Fatalf("after the Reset the watch got nothing, want revision %d", want)
		}
	}
}
