package data

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

// recordVersion is the schema version written into every record. A record
// with a higher version was written by a newer Keyward and is refused
// rather than misread.
const recordVersion = 1

// Key prefixes act as tables.
var (
	keyAccount     = []byte("a")
	prefixUser     = []byte("u/")  // + 8-byte big-endian id → userRecord
	prefixKey      = []byte("k/")  // + 16-byte UUID → keyRecord
	prefixLastUsed = []byte("lu/") // + 16-byte UUID → lastUsedRecord
	prefixSysLog   = []byte("sl/") // + 8-byte big-endian id → logRecord
	prefixSession  = []byte("ss/") // + 8-byte big-endian id → sessionRecord
	seqAccount     = []byte("seq/account")
	seqUser        = []byte("seq/user")
	seqLog         = []byte("seq/log")
)

// Options tune a Store; the zero value is right for the application.
type Options struct {
	// Logf receives the storage engine's warnings and errors. Nil discards
	// them.
	Logf func(format string, args ...any)
	// FlushInterval is how often last-used times are written to disk.
	// Zero means DefaultFlushInterval.
	FlushInterval time.Duration
	// Now is the store's clock. Nil means time.Now.
	Now func() time.Time
}

// DefaultFlushInterval is how often last-used times reach the disk.
const DefaultFlushInterval = 5 * time.Second

// Store is the account's data: the domain rules applied to a Badger
// database in one data directory, with an in-memory index of keys that
// authentication reads without touching the disk.
type Store struct {
	dir  string
	db   *badger.DB
	opts Options

	accountSeq, userSeq, logSeq *badger.Sequence

	// writeMu serialises changes, so that each sees the effects of the one
	// before and log ids increase in commit order.
	writeMu sync.Mutex
	// mu guards the index. Changes hold it for writing across their commit,
	// so that no request is authenticated against a state that is no
	// longer, or not yet, on disk.
	mu sync.RWMutex
	ix index

	lastUsedDirty atomic.Bool
	generation    atomic.Uint64 // counts committed changes
	stopFlush     chan struct{}
	flushDone     chan struct{}
	closeOnce     sync.Once
	closeErr      error

	subMu   sync.Mutex
	subs    map[int]func(Change)
	nextSub int
}

// Open opens (creating if needed) the data directory dir. If another
// process holds it, the error wraps ErrInUse and nothing is touched.
func Open(dir string, opts Options) (*Store, error) {
	if strings.TrimSpace(dir) == "" {
		return nil, Errorf(EInvalid, "No data directory was given.")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, storageError("find the data directory "+dir, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, storageError("create the data directory "+abs, err)
	}
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = DefaultFlushInterval
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	db, err := badger.Open(badgerOptions(filepath.Join(abs, "badger"), opts.Logf))
	if err != nil {
		if isLockError(err) {
			return nil, &Error{Code: EConflict, Err: ErrInUse, Message: fmt.Sprintf(
				"The data directory %s is in use by another Keyward (the console, `keyward serve` or another command). "+
					"Close it and try again, or choose another directory with --data.", abs)}
		}
		return nil, storageError("open the data directory "+abs, err)
	}
	s := &Store{dir: abs, db: db, opts: opts, subs: map[int]func(Change){}}
	if err := s.start(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// badgerOptions sizes Badger for a desktop store of a few thousand records:
// its defaults (64 MiB memtables, a 256 MiB block cache, a 1 GiB value log)
// are meant for servers. BENCHMARKS.md has the measured footprint.
func badgerOptions(dir string, logf func(string, ...any)) badger.Options {
	return badger.DefaultOptions(dir).
		WithSyncWrites(true).
		WithLogger(badgerLogger{logf}).
		WithMemTableSize(4 << 20).
		WithNumMemtables(2).
		WithNumLevelZeroTables(2).
		WithNumLevelZeroTablesStall(8).
		WithBaseTableSize(1 << 20).
		WithBaseLevelSize(4 << 20).
		WithValueLogFileSize(8 << 20).
		WithValueThreshold(64 << 10).
		WithBlockCacheSize(0).
		WithIndexCacheSize(0).
		WithCompression(options.None).
		WithNumCompactors(2).
		WithNumGoroutines(2).
		WithMetricsEnabled(false)
}

// isLockError recognises Badger's report that another process holds the
// directory, which it gives only as text.
func isLockError(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Cannot acquire directory lock") ||
		strings.Contains(msg, "Another process is using this Badger database")
}

type badgerLogger struct{ logf func(string, ...any) }

func (l badgerLogger) Errorf(f string, a ...any) {
	if l.logf != nil {
		l.logf("storage error: "+strings.TrimSpace(f), a...)
	}
}

func (l badgerLogger) Warningf(f string, a ...any) {
	if l.logf != nil {
		l.logf("storage warning: "+strings.TrimSpace(f), a...)
	}
}

func (badgerLogger) Infof(string, ...any)  {}
func (badgerLogger) Debugf(string, ...any) {}

func (s *Store) start() error {
	var err error
	if s.accountSeq, err = s.db.GetSequence(seqAccount, 1); err != nil {
		return storageError("read the account id sequence", err)
	}
	if s.userSeq, err = s.db.GetSequence(seqUser, 10); err != nil {
		return storageError("read the user id sequence", err)
	}
	if s.logSeq, err = s.db.GetSequence(seqLog, 100); err != nil {
		return storageError("read the log id sequence", err)
	}
	if err := s.loadIndex(); err != nil {
		s.releaseSequences()
		return err
	}
	s.stopFlush = make(chan struct{})
	s.flushDone = make(chan struct{})
	go s.flushLoop()
	return nil
}

// Generation counts the changes committed since the store was opened
// (last-used times aside). A view computed from the store stays valid
// while the generation it was computed at is current.
func (s *Store) Generation() uint64 { return s.generation.Load() }

// Dir returns the absolute path of the data directory.
func (s *Store) Dir() string { return s.dir }

// Close writes pending last-used times and closes the store. It is safe to
// call more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.stopFlush)
		<-s.flushDone
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
		_, flushErr := s.flushLastUsedLocked()
		s.mu.Lock()
		errs := []error{flushErr, s.releaseSequences(), s.db.Close()}
		s.db = nil
		s.mu.Unlock()
		s.closeErr = storageError("close the data directory", errors.Join(errs...))
	})
	return s.closeErr
}

func (s *Store) releaseSequences() error {
	var errs []error
	for _, seq := range []*badger.Sequence{s.accountSeq, s.userSeq, s.logSeq} {
		if seq != nil {
			errs = append(errs, seq.Release())
		}
	}
	return errors.Join(errs...)
}

var errClosed = &Error{Code: EInternal, Message: "The data store is closed."}

// next returns the next value of a sequence, skipping the 0 that Badger
// hands out first so that every id is positive.
func next(seq *badger.Sequence) (int64, error) {
	for {
		v, err := seq.Next()
		if err != nil {
			return 0, storageError("allocate an id", err)
		}
		if v != 0 {
			return int64(v), nil
		}
	}
}

// tx is one change in progress: a Badger transaction, the time it is made
// at (whole seconds, as Redis Cloud's API shows times), the index updates to apply once it is committed and the
// notifications to send after that.
type tx struct {
	s       *Store
	txn     *badger.Txn
	now     time.Time
	actor   Actor
	apply   []func(*index)
	changes []Change
}

// change runs fn as one transaction on behalf of actor, who must be allowed
// to administer the account. Every change ends up here.
func (s *Store) change(actor Actor, fn func(*tx) error) error {
	if !actor.Role.CanAdminister() {
		return Errorf(EForbidden, "Only an Owner can change the account; %s is a %s.", actor.Name, actor.Role)
	}
	return s.update(actor, fn)
}

// update runs fn as one transaction, commits it with the index write lock
// held, then applies fn's index updates and sends its notifications.
func (s *Store) update(actor Actor, fn func(*tx) error) error {
	s.writeMu.Lock()
	if s.db == nil {
		s.writeMu.Unlock()
		return errClosed
	}
	txn := s.db.NewTransaction(true)
	defer txn.Discard()
	t := &tx{s: s, txn: txn, now: s.opts.Now().UTC().Truncate(time.Second), actor: actor}
	if err := fn(t); err != nil {
		s.writeMu.Unlock()
		if errors.Is(err, badger.ErrTxnTooBig) {
			return Errorf(EInvalid, "This change touches too many records to be saved at once.")
		}
		return err
	}
	s.mu.Lock()
	err := txn.Commit()
	if err == nil {
		for _, f := range t.apply {
			f(&s.ix)
		}
		s.generation.Add(1)
	}
	s.mu.Unlock()
	s.writeMu.Unlock()
	if err != nil {
		return storageError("save the change", err)
	}
	s.notify(t.changes)
	return nil
}

// then queues an index update for after the commit.
func (t *tx) then(f func(*index)) { t.apply = append(t.apply, f) }

func (t *tx) put(key []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return storageError("encode a record", err)
	}
	return t.txn.Set(key, b)
}

func (t *tx) del(key []byte) error { return t.txn.Delete(key) }

// get decodes the record at key into v; it reports false if there is none.
func (t *tx) get(key []byte, v versioned) (bool, error) {
	item, err := t.txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, storageError("read a record", err)
	}
	return true, item.Value(func(b []byte) error { return decode(b, v) })
}

// log appends a system-log entry to the change and notifies subscribers of
// what.
func (t *tx) log(what ChangeKind, resource string, resourceID int64, event, description string) error {
	id, err := next(t.s.logSeq)
	if err != nil {
		return err
	}
	rec := logRecord{V: recordVersion, SystemLogEntry: SystemLogEntry{ID: id, Time: t.now, Originator: t.actor.Name,
		APIKeyName: t.actor.APIKeyName, Resource: resource, ResourceID: resourceID, Type: event, Description: description}}
	t.changes = append(t.changes, Change{Kind: what}, Change{Kind: ChangeSystemLog})
	return t.put(idKey(prefixSysLog, id), rec)
}

// versioned is a stored record: it knows its schema version.
type versioned interface{ version() int }

func decode(b []byte, v versioned) error {
	if err := json.Unmarshal(b, v); err != nil {
		return storageError("decode a stored record", err)
	}
	if v.version() > recordVersion {
		return Errorf(EInternal, "The data directory was written by a newer version of Keyward (record version %d); upgrade Keyward to open it.", v.version())
	}
	return nil
}

func idKey(prefix []byte, id int64) []byte {
	k := make([]byte, len(prefix)+8)
	copy(k, prefix)
	binary.BigEndian.PutUint64(k[len(prefix):], uint64(id))
	return k
}

func uuidKey(prefix []byte, id [16]byte) []byte {
	k := make([]byte, len(prefix)+16)
	copy(k, prefix)
	copy(k[len(prefix):], id[:])
	return k
}

// scan calls fn with the value of every record under prefix, in key order
// or, if reverse, in reverse key order, until fn returns false.
// It holds a read lock of the index, so that Close waits for it.
func (s *Store) scan(prefix []byte, reverse bool, fn func([]byte) (bool, error)) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.db == nil {
		return errClosed
	}
	return s.db.View(func(txn *badger.Txn) error {
		o := badger.DefaultIteratorOptions
		o.Prefix = prefix
		o.Reverse = reverse
		it := txn.NewIterator(o)
		defer it.Close()
		start := prefix
		if reverse {
			start = append(append([]byte{}, prefix...), 0xff)
		}
		for it.Seek(start); it.ValidForPrefix(prefix); it.Next() {
			more := true
			err := it.Item().Value(func(b []byte) error {
				var err error
				more, err = fn(b)
				return err
			})
			if err != nil {
				return err
			}
			if !more {
				return nil
			}
		}
		return nil
	})
}

// read decodes the record at key into v outside any change; it reports false
// if there is none.
func (s *Store) read(key []byte, v versioned) (bool, error) {
	var found bool
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		found, err = (&tx{txn: txn}).get(key, v)
		return err
	})
	return found, err
}
