package badger

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"keyward/data"
)

// The contract's rules are in conformance_test.go; these tests are of what
// is Badger's own: the data directory, the existing layout, the engine's
// limits and messages, and how the watches are fed.

// mustOpen opens dir and closes it when the test ends.
func mustOpen(t testing.TB, dir string) *Backend {
	t.Helper()
	b, err := Open(dir, Options{Logf: t.Logf})
	must(t, err)
	t.Cleanup(func() { b.Close() })
	return b
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func commit(t testing.TB, b *Backend, ops ...data.Op) data.Rev {
	t.Helper()
	rev, err := b.Commit(data.AnyRev, ops)
	must(t, err)
	return rev
}

func set(key, value string) data.Op { return data.Op{Key: []byte(key), Value: []byte(value)} }

func wantError(t testing.TB, err, cause error, code string) {
	t.Helper()
	if !errors.Is(err, cause) || data.ErrorCode(err) != code {
		t.Fatalf("error = %v (code %q), want one wrapping %q with code %q", err, data.ErrorCode(err), cause, code)
	}
}

func TestOpenRefusesNoDirectory(t *testing.T) {
	for _, dir := range []string{"", "  "} {
		_, err := Open(dir, Options{})
		if data.ErrorCode(err) != data.EInvalid || err.Error() != "No data directory was given." {
			t.Errorf("Open(%q) = %v", dir, err)
		}
	}
}

func TestDirIsAbsolute(t *testing.T) {
	parent := t.TempDir()
	t.Chdir(parent)
	b, err := Open("keyward", Options{})
	must(t, err)
	must(t, b.Close())
	want := filepath.Join(parent, "keyward")
	if b.Dir() != want || b.Location() != want {
		t.Fatalf("Dir() = %q, Location() = %q, want %q", b.Dir(), b.Location(), want)
	}
}

func TestSecondOpenIsRefusedAndHarmsNothing(t *testing.T) {
	dir := t.TempDir()
	b := mustOpen(t, dir)
	commit(t, b, set("a", "before"))
	b2, err := Open(dir, Options{})
	if err == nil {
		b2.Close()
		t.Fatal("a held data directory opened twice")
	}
	wantError(t, err, data.ErrInUse, data.EConflict)
	want := "The data directory " + dir + " is in use by another Keyward (the console, `keyward serve` or another command). " +
		"Close it and try again, or choose another directory with --data."
	if err.Error() != want {
		t.Fatalf("message = %q\nwant %q", err, want)
	}
	if rev := commit(t, b, set("a", "after")); rev != 2 {
		t.Fatalf("revision = %d after the refused open", rev)
	}
	if v, _, err := b.Get([]byte("a")); err != nil || string(v) != "after" {
		t.Fatalf("the first handle reads %q, %v", v, err)
	}
}

// writeOldStore writes dir the way the Store did before it had a backend:
// straight to Badger, with no revision, and with its id sequences' own
// bandwidth. It returns the last user id it handed out.
func writeOldStore(t *testing.T, dir string, release bool) uint64 {
	db, err := badger.Open(badgerOptions(filepath.Join(dir, "badger"), nil))
	must(t, err)
	err = db.Update(func(txn *badger.Txn) error {
		if err := txn.Set([]byte("a"), []byte(`{"v":1,"name":"old"}`)); err != nil {
			return err
		}
		for id := uint64(1); id <= 3; id++ {
			key := binary.BigEndian.AppendUint64([]byte("u/"), id)
			if err := txn.Set(key, fmt.Appendf(nil, `{"v":1,"id":%d}`, id)); err != nil {
				return err
			}
		}
		return nil
	})
	must(t, err)
	seq, err := db.GetSequence([]byte("seq/user"), 10)
	must(t, err)
	var last uint64
	for range 4 {
		last, err = seq.Next()
		must(t, err)
	}
	if release {
		must(t, seq.Release())
	}
	must(t, db.Close())
	return last
}

func TestOpensADataDirectoryWrittenBeforeRevisions(t *testing.T) {
	for _, released := range []bool{true, false} {
		t.Run(fmt.Sprint("sequence released ", released), func(t *testing.T) {
			dir := t.TempDir()
			last := writeOldStore(t, dir, released)
			b := mustOpen(t, dir)
			if rev, err := b.Rev(); err != nil || rev != 0 {
				t.Fatalf("Rev() = %d, %v", rev, err)
			}
			if v, found, err := b.Get([]byte("a")); err != nil || !found || string(v) != `{"v":1,"name":"old"}` {
				t.Fatalf("Get(a) = %q, %v, %v", v, found, err)
			}
			var ids []uint64
			must(t, b.Scan([]byte("u/"), true, func(k, _ []byte) (bool, error) {
				ids = append(ids, binary.BigEndian.Uint64(k[2:]))
				return true, nil
			}))
			if !slices.Equal(ids, []uint64{3, 2, 1}) {
				t.Fatalf("user ids scanned backwards = %v", ids)
			}
			id, err := b.Next("seq/user")
			must(t, err)
			if id <= last {
				t.Fatalf("Next(seq/user) = %d; the old sequence had handed out %d", id, last)
			}
			if rev := commit(t, b, set("a", "new")); rev != 1 {
				t.Fatalf("the first commit's revision = %d", rev)
			}
		})
	}
}

func TestCleanCloseSkipsNoSequenceValue(t *testing.T) {
	dir := t.TempDir()
	b, err := Open(dir, Options{})
	must(t, err)
	var last uint64
	for range 3 {
		last, err = b.Next("seq/log")
		must(t, err)
	}
	must(t, b.Close())
	b = mustOpen(t, dir)
	if id, err := b.Next("seq/log"); err != nil || id != last+1 {
		t.Fatalf("Next(seq/log) after reopening = %d, %v; want %d", id, err, last+1)
	}
}

func TestDataDirectoryIsPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix permission bits; the directory inherits the user profile's ACL")
	}
	dir := filepath.Join(t.TempDir(), "new", "keyward")
	b := mustOpen(t, dir)
	commit(t, b, set("a", "x"))
	for _, p := range []string{dir, filepath.Join(dir, "badger")} {
		fi, err := os.Stat(p)
		must(t, err)
		if fi.Mode().Perm() != 0o700 {
			t.Errorf("%s has mode %v, want 0700", p, fi.Mode().Perm())
		}
	}
}

func TestTooLargeBatchWritesNothing(t *testing.T) {
	b := mustOpen(t, t.TempDir())
	value := bytes.Repeat([]byte("v"), 1<<10)
	var many []data.Op
	for i := range 2000 {
		many = append(many, data.Op{Key: fmt.Appendf(nil, "t/%04d", i), Value: value})
	}
	oneHuge := []data.Op{set("a", "small"), {Key: []byte("b"), Value: bytes.Repeat([]byte("v"), 16<<20)}}
	for name, ops := range map[string][]data.Op{"2,000 records of 1 KiB": many, "one record of 16 MiB": oneHuge} {
		t.Run(name, func(t *testing.T) {
			_, err := b.Commit(0, ops)
			wantError(t, err, data.ErrTooLarge, data.EInvalid)
			if rev, _ := b.Rev(); rev != 0 {
				t.Fatalf("revision = %d after a refused batch", rev)
			}
			if _, found, _ := b.Get(ops[0].Key); found {
				t.Fatal("part of a refused batch was written")
			}
		})
	}
}

func TestLogfReceivesBadgersErrors(t *testing.T) {
	dir := t.TempDir()
	// A directory where Badger expects its key registry fails the opening
	// after Badger has set up its logger.
	must(t, os.MkdirAll(filepath.Join(dir, "badger", "KEYREGISTRY"), 0o700))
	var mu sync.Mutex
	var logged []string
	_, err := Open(dir, Options{Logf: func(f string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		logged = append(logged, fmt.Sprintf(f, a...))
	}})
	if data.ErrorCode(err) != data.EInternal || !errors.Is(err, data.ErrDamaged) ||
		!strings.HasPrefix(err.Error(), "The data directory "+dir+" is damaged: the storage engine cannot read it (") {
		t.Fatalf("Open = %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.ContainsFunc(logged, func(s string) bool { return strings.HasPrefix(s, "storage error: ") }) {
		t.Fatalf("Logf received %q", logged)
	}
}

func TestBadgerLoggerPrefixesAndTrims(t *testing.T) {
	var got []string
	l := newBadgerLogger(func(f string, a ...any) { got = append(got, fmt.Sprintf(f, a...)) })
	l.Errorf("disk %s\n", "full")
	l.Warningf("slow %d\n", 3)
	l.Infof("chatter")
	l.Debugf("chatter")
	newBadgerLogger(nil).Errorf("discarded")
	// A failure Badger retries is said once, and a dump of its state cut.
	for range 50 {
		l.Warningf("compaction failed: %s", strings.Repeat("state ", 1000))
	}
	if want := []string{"storage error: disk full", "storage warning: slow 3",
		"storage warning: compaction failed: " + strings.Repeat("state ", 1000)[:maxLogLine-len("compaction failed: ")] + "…"}; !slices.Equal(got, want) {
		t.Fatalf("logged %q, want %q", got, want)
	}
}

func TestBackendsOwnKeysStayItsOwn(t *testing.T) {
	b := mustOpen(t, t.TempDir())
	commit(t, b, set("a", "x"))
	_, err := b.Next("") // kept under a key of the backend's own
	must(t, err)
	if _, err := b.Commit(data.AnyRev, []data.Op{set("!rev", "\x00")}); data.ErrorCode(err) != data.EInvalid {
		t.Fatalf("writing !rev = %v", err)
	}
	if _, err := b.Next("!rev"); data.ErrorCode(err) != data.EInvalid {
		t.Fatalf("Next(!rev) = %v", err)
	}
	if _, found, err := b.Get(revKey); found || err != nil {
		t.Fatalf("Get(!rev) = %v, %v", found, err)
	}
	for prefix, want := range map[string][]string{"": {"a"}, "!": nil} {
		for _, reverse := range []bool{false, true} {
			var keys []string
			must(t, b.Scan([]byte(prefix), reverse, func(k, _ []byte) (bool, error) {
				keys = append(keys, string(k))
				return true, nil
			}))
			if !slices.Equal(keys, want) {
				t.Errorf("Scan(%q, reverse %v) = %q, want %q", prefix, reverse, keys, want)
			}
		}
	}
	if rev, _ := b.Rev(); rev != 1 {
		t.Fatalf("revision = %d", rev)
	}
}

func TestEmptyRecordReadsAsNonNil(t *testing.T) {
	b := mustOpen(t, t.TempDir())
	commit(t, b, data.Op{Key: []byte("e"), Value: []byte{}})
	if v, found, err := b.Get([]byte("e")); err != nil || !found || v == nil {
		t.Fatalf("Get(e) = %q (nil %v), %v, %v", v, v == nil, found, err)
	}
	must(t, b.Scan([]byte("e"), false, func(_, v []byte) (bool, error) {
		if v == nil {
			t.Error("Scan gave an empty record a nil value, which a write-back would make a deletion")
		}
		return true, nil
	}))
}

// recorder is a watcher that keeps what it is given.
type recorder struct {
	mu      sync.Mutex
	commits []data.Commit
	got     chan struct{}
}

func newRecorder() *recorder { return &recorder{got: make(chan struct{}, 1000)} }

func (r *recorder) fn(c data.Commit) {
	r.mu.Lock()
	r.commits = append(r.commits, c)
	r.mu.Unlock()
	r.got <- struct{}{}
}

// wait returns the first n commits delivered, failing if they take long.
func (r *recorder) wait(t *testing.T, n int) []data.Commit {
	t.Helper()
	for range n {
		select {
		case <-r.got:
		case <-time.After(10 * time.Second):
			t.Fatalf("fewer than %d commits delivered", n)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.commits)
}

func TestWatchFromAnotherRevisionStartsWithAReset(t *testing.T) {
	for _, from := range []data.Rev{0, 7} {
		t.Run(fmt.Sprint("from ", from), func(t *testing.T) {
			b := mustOpen(t, t.TempDir())
			commit(t, b, set("a", "1"))
			r := newRecorder()
			stop, err := b.Watch(from, r.fn)
			must(t, err)
			defer stop()
			commit(t, b, data.Op{Key: []byte("a")})
			want := []data.Commit{{Rev: 1, Reset: true}, {Rev: 2, Ops: []data.Op{{Key: []byte("a")}}}}
			if got := r.wait(t, len(want)); !reflect.DeepEqual(got, want) {
				t.Fatalf("deliveries = %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestSlowWatcherDelaysNoCommit(t *testing.T) {
	b := mustOpen(t, t.TempDir())
	release := make(chan struct{})
	r := newRecorder()
	stop, err := b.Watch(0, func(c data.Commit) {
		<-release
		r.fn(c)
	})
	must(t, err)
	defer stop()
	committed := make(chan struct{})
	go func() {
		defer close(committed)
		for range 5 {
			commit(t, b, set("a", "x"))
		}
	}()
	select {
	case <-committed:
	case <-time.After(10 * time.Second):
		t.Fatal("Commit waits for a watcher")
	}
	close(release)
	got := r.wait(t, 5)
	for i, c := range got {
		if c.Rev != data.Rev(i+1) {
			t.Fatalf("deliveries out of order: %+v", got)
		}
	}
}

func TestWatcherFarBehindIsReset(t *testing.T) {
	w := &watch{wake: make(chan struct{}, 1)}
	for rev := range data.Rev(maxQueue + 2) {
		w.push(data.Commit{Rev: rev + 1})
	}
	want := []data.Commit{{Rev: maxQueue + 1, Reset: true}, {Rev: maxQueue + 2}}
	if !reflect.DeepEqual(w.queue, want) {
		t.Fatalf("queue = %d commits from %+v, want %+v", len(w.queue), w.queue[0], want)
	}
}
