// Package badger keeps a Keyward account in a local data directory, with
// Badger as the storage engine: the data.Backend of the console, of
// `keyward serve` and of the command line when they are given --data.
//
// A Backend owns the *badger.DB; Badger's errors are mapped to data's at
// this boundary, so no engine type leaks out. Badger locks the directory,
// so a Backend is the only writer of its records: it keeps the revision in
// memory and feeds its watchers from its own commits.
package badger

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"

	"keyward/data"
)

// Options tune a Backend; the zero value is right for the application.
type Options struct {
	// Logf receives the storage engine's warnings and errors. Nil discards
	// them.
	Logf func(format string, args ...any)
}

// Backend is a data.Backend on a Badger database in one data directory.
type Backend struct {
	dir string
	db  *badger.DB
	// dbDir is the database directory as it was opened: present tells
	// whether it is still there.
	dbDir os.FileInfo

	// commitMu serialises commits, so that checking the revision and
	// writing the next one are atomic.
	commitMu sync.Mutex

	// mu guards what follows. rev changes under commitMu and mu both, so a
	// commit reads it under commitMu alone.
	mu      sync.Mutex
	closed  bool
	rev     data.Rev
	watches map[*watch]struct{}
	control *control // answers backup requests; nil until OpenStore starts it
	unlock  func()   // gives the data directory's lock back
	// active counts the calls in progress; Close waits for them before it
	// closes the database under them.
	active sync.WaitGroup

	seqMu sync.Mutex
	seqs  map[string]*badger.Sequence

	closeOnce sync.Once
	closeErr  error
}

var _ data.Backend = (*Backend)(nil)

// Open opens the data directory dir, creating it if needed. The records
// live in dir/badger, where Keyward has always kept them, so existing data
// directories open unchanged. If another process, or another Backend of
// this one, holds the directory, the error wraps data.ErrInUse.
func Open(dir string, opts Options) (*Backend, error) {
	if strings.TrimSpace(dir) == "" {
		return nil, data.Errorf(data.EInvalid, "No data directory was given.")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, failed("find the data directory "+dir, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, failed("create the data directory "+abs, err)
	}
	keepPrivate()
	unlock, held, err := lockDir(abs)
	switch {
	case held:
		return nil, errInUse(abs)
	case err != nil:
		return nil, failed("lock the data directory "+abs, err)
	}
	b, err := open(abs, opts)
	if err != nil {
		unlock()
		return nil, err
	}
	b.unlock = unlock
	return b, nil
}

// errInUse is the error of a data directory another process holds.
func errInUse(dir string) error {
	return &data.Error{Code: data.EConflict, Err: data.ErrInUse, Message: fmt.Sprintf(
		"The data directory %s is in use by another Keyward (the console, `keyward serve` or another command). "+
			"Close it and try again, or choose another directory with --data.", dir)}
}

// IsDataDir tells whether dir holds a data directory's database.
func IsDataDir(dir string) bool {
	info, err := os.Stat(filepath.Join(dir, "badger"))
	return err == nil && info.IsDir()
}

// open opens the data directory abs, which this process has locked.
func open(abs string, opts Options) (*Backend, error) {
	if err := makePrivate(abs, opts.Logf); err != nil {
		return nil, err
	}
	dbDir := filepath.Join(abs, "badger")
	if err := checkDirectory(abs, dbDir); err != nil {
		return nil, err
	}
	if err := checkSpace(abs); err != nil {
		return nil, err
	}
	if err := removeEmptyLogs(dbDir, opts.Logf); err != nil {
		return nil, err
	}
	if err := verifyTables(abs, dbDir, badgerOptions(dbDir, opts.Logf)); err != nil {
		return nil, err
	}
	var db *badger.DB
	err := guard(abs, "open", func() error {
		var err error
		db, err = badger.Open(badgerOptions(dbDir, opts.Logf))
		return err
	})
	if err != nil {
		var e *data.Error
		if errors.As(err, &e) {
			return nil, err
		}
		if isLockError(err) {
			return nil, errInUse(abs)
		}
		if isDamage(err) {
			return nil, damaged(abs, "the storage engine cannot read it ("+firstLine(err.Error())+")", err)
		}
		return nil, failed("open the data directory "+abs, err)
	}
	rev, err := readRev(db)
	if err == nil {
		var info os.FileInfo
		if info, err = os.Stat(dbDir); err == nil {
			return &Backend{dir: abs, db: db, dbDir: info, rev: rev, watches: map[*watch]struct{}{}, seqs: map[string]*badger.Sequence{}}, nil
		}
	}
	db.Close()
	return nil, failed("read the revision of the data directory "+abs, err)
}

// present refuses to write once the database directory is gone (a
// removed drive, a deleted folder) or replaced: the engine would go on
// writing into files that no longer have a name, and lose them at exit.
func (b *Backend) present() error {
	info, err := os.Stat(filepath.Join(b.dir, "badger"))
	if err == nil && os.SameFile(info, b.dbDir) {
		return nil
	}
	return &data.Error{Code: data.EInternal, Err: errors.Join(data.ErrFailed, err), Message: fmt.Sprintf(
		"The data directory %s is gone or was replaced while Keyward used it: nothing more can be saved.", b.dir)}
}

// The sizes of Badger's memory-mapped files, of which minFree keeps room.
const (
	memTableSize     = 4 << 20
	valueLogFileSize = 8 << 20
)

// badgerOptions sizes Badger for a desktop store of a few thousand records:
// its defaults (64 MiB memtables, a 256 MiB block cache, a 1 GiB value log)
// are meant for servers. BENCHMARKS.md has the measured footprint.
func badgerOptions(dir string, logf func(string, ...any)) badger.Options {
	return badger.DefaultOptions(dir).
		WithSyncWrites(true).
		WithLogger(newBadgerLogger(logf)).
		WithMemTableSize(memTableSize).
		WithNumMemtables(2).
		WithNumLevelZeroTables(2).
		WithNumLevelZeroTablesStall(8).
		WithBaseTableSize(1 << 20).
		WithBaseLevelSize(4 << 20).
		WithValueLogFileSize(valueLogFileSize).
		WithValueThreshold(64 << 10).
		WithBlockCacheSize(0).
		WithIndexCacheSize(0).
		WithCompression(options.None).
		WithNumCompactors(2).
		WithNumGoroutines(2).
		WithMetricsEnabled(false).
		// A damaged block is an error when it is read, rather than records.
		// The tables are checked whole before Badger opens them
		// (verifyTables): Badger would skip a damaged one.
		WithChecksumVerificationMode(options.OnBlockRead).
		WithVerifyValueChecksum(true)
}

// isLockError recognises Badger's report that another process holds the
// directory, which it gives only as text.
func isLockError(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Cannot acquire directory lock") ||
		strings.Contains(msg, "Another process is using this Badger database")
}

// badgerLogger passes Badger's errors and warnings to Options.Logf and
// drops its information and debug messages.
// Badger repeats a failure it retries (a flush, a compaction) every
// second or faster, each time with a dump of its state: each kind of
// message is passed on at most once every repeatEvery, and cut to
// maxLogLine characters.
type badgerLogger struct {
	logf func(string, ...any)

	mu   *sync.Mutex
	last map[string]time.Time // by format
}

const (
	repeatEvery = time.Minute
	maxLogLine  = 300
)

func newBadgerLogger(logf func(string, ...any)) badgerLogger {
	return badgerLogger{logf: logf, mu: &sync.Mutex{}, last: map[string]time.Time{}}
}

func (l badgerLogger) log(prefix, f string, a []any) {
	if l.logf == nil {
		return
	}
	now := time.Now()
	l.mu.Lock()
	if seen, ok := l.last[f]; ok && now.Sub(seen) < repeatEvery {
		l.mu.Unlock()
		return
	}
	l.last[f] = now
	l.mu.Unlock()
	msg := strings.TrimSpace(fmt.Sprintf(f, a...))
	if r := []rune(msg); len(r) > maxLogLine {
		msg = string(r[:maxLogLine]) + "…"
	}
	l.logf("%s%s", prefix, msg)
}

func (l badgerLogger) Errorf(f string, a ...any)   { l.log("storage error: ", f, a) }
func (l badgerLogger) Warningf(f string, a ...any) { l.log("storage warning: ", f, a) }
func (badgerLogger) Infof(string, ...any)          {}
func (badgerLogger) Debugf(string, ...any)         {}

// revKey holds the revision, 8 bytes big-endian. Stores written before
// there were revisions have none: their revision is 0.
var revKey = []byte("!rev")

// own reports whether key is one of the backend's own, which the Store may
// neither read nor write.
func own(key []byte) bool { return len(key) > 0 && key[0] == '!' }

func readRev(db *badger.DB) (data.Rev, error) {
	var rev data.Rev
	err := db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(revKey)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error {
			if len(v) != 8 {
				return fmt.Errorf("the revision record has %d bytes, not 8", len(v))
			}
			rev = data.Rev(binary.BigEndian.Uint64(v))
			return nil
		})
	})
	return rev, err
}

// Dir returns the absolute path of the data directory.
func (b *Backend) Dir() string { return b.dir }

// Location returns the data directory, as Dir does.
func (b *Backend) Location() string { return b.dir }

// Close stops the watches, waits for the calls in progress, writes back
// the unused part of every sequence's lease, so that a clean close skips
// no value, and closes the database. It is safe to call more than once.
// It must not be called from a Scan's or a watch's fn, which it would wait
// for.
func (b *Backend) Close() error {
	b.closeOnce.Do(func() {
		b.mu.Lock()
		b.closed = true
		watches, control := b.watches, b.control
		b.watches = nil
		b.mu.Unlock()
		if control != nil {
			control.close()
		}
		for w := range watches {
			w.stop()
		}
		b.active.Wait()
		var errs []error
		b.seqMu.Lock()
		for _, seq := range b.seqs {
			errs = append(errs, seq.Release())
		}
		b.seqMu.Unlock()
		errs = append(errs, b.closeDB())
		b.unlock()
		b.closeErr = failed("close the data directory "+b.dir, errors.Join(errs...))
	})
	return b.closeErr
}

// closeTimeout bounds how long Close waits for the engine: with its
// directory gone, Badger retries writing its memtable forever, and a
// server must still stop when asked (SPEC §4: within 10 seconds).
const closeTimeout = 5 * time.Second

// closeDB closes the database, or gives up after closeTimeout, leaving the
// engine to the process's exit.
func (b *Backend) closeDB() error {
	done := make(chan error, 1)
	go func() { done <- guard(b.dir, "close", b.db.Close) }()
	select {
	case err := <-done:
		return err
	case <-time.After(closeTimeout):
		return fmt.Errorf("the storage engine did not finish writing within %s; what it had not written is lost", closeTimeout)
	}
}

// enter registers a call in progress, or refuses it once Close has begun;
// leave ends it.
func (b *Backend) enter() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return errClosed
	}
	b.active.Add(1)
	return nil
}

func (b *Backend) leave() { b.active.Done() }

var errClosed = &data.Error{Code: data.EInternal, Message: "The data store is closed.", Err: data.ErrClosed}

// failed reports a failure of the storage engine while doing op; nil stays
// nil.
func failed(op string, err error) error {
	if err == nil {
		return nil
	}
	return &data.Error{Code: data.EInternal, Message: "Could not " + op + ": " + err.Error(), Err: err}
}
