// Package data is Keyward's domain and its rules, written once: the
// account, the team and its roles, API user keys with their status and
// CIDR allow lists, the system and session logs, the key format and
// hashing, authentication, and the error vocabulary every front end maps
// to its own terms.
//
// A Store applies the rules to a Backend (data/badger on one machine) and
// keeps an in-memory index of the account, users and keys, a replica that
// reads and authentication use without touching storage. Changes are
// batches of records (schema.go) committed atomically; the index follows
// every committed batch, this process's and, on a shared backend, other
// processes', and subscribers hear of each (Subscribe).
package data

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Options tune a Store; the zero value is right for the application but
// for SealKeyFile.
type Options struct {
	// Logf receives the warnings and errors of background work, such as a
	// failed write of last-used times. Nil discards them.
	Logf func(format string, args ...any)
	// FlushInterval is how often last-used times are written to storage.
	// Zero means DefaultFlushInterval.
	FlushInterval time.Duration
	// Now is the store's clock. Nil means time.Now.
	Now func() time.Time
	// SealKeyFile is the file of the key that seals the account key (see
	// seal.go). It is created, readable by its owner only, when the API is
	// first enabled. Empty means there is none: the API cannot be enabled.
	SealKeyFile string
}

// DefaultFlushInterval is how often last-used times reach storage.
const DefaultFlushInterval = 5 * time.Second

// Store is the account's data: the domain rules applied to a Backend, with
// an in-memory index that authentication reads without touching storage.
type Store struct {
	b    Backend
	opts Options

	// writeMu serialises changes, and the application of batches other
	// handles committed, so that each change is built on the index as it
	// stands and log ids increase in commit order.
	writeMu sync.Mutex
	// mu guards the index. A change holds it for writing across its
	// commit, so that no request is authenticated against a state that is
	// no longer, or not yet, in storage.
	mu sync.RWMutex
	ix index
	// applied is the revision the index reflects; advanced is closed and
	// replaced whenever it moves. Both are guarded by writeMu.
	applied  Rev
	advanced chan struct{}
	closed   bool // guarded by writeMu

	// failure is why the storage failed under the store, after which it
	// refuses changes; nil while it works.
	failMu  sync.Mutex
	failure error

	// readMu is held for reading by reads that go to the backend (logs,
	// tasks), so that Close waits for them.
	readMu sync.RWMutex

	lastUsedDirty atomic.Bool
	generation    atomic.Uint64 // counts committed changes of the account, users and keys
	stopFlush     chan struct{}
	flushDone     chan struct{}
	stopWatch     func()
	closeOnce     sync.Once
	closeErr      error

	subMu   sync.Mutex
	subs    map[int]func(Change)
	nextSub int
}

// Open returns the Store of the account kept in b, reading its records
// into the index. The Store owns b from then on and closes it with
// itself; if Open fails, b is closed.
func Open(b Backend, opts Options) (*Store, error) {
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = DefaultFlushInterval
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Store{b: b, opts: opts, subs: map[int]func(Change){}, advanced: make(chan struct{})}
	if err := s.start(); err != nil {
		b.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) start() error {
	rev, err := s.load(&s.ix)
	if err != nil {
		return err
	}
	s.applied = rev
	if s.stopWatch, err = s.b.Watch(rev, s.watched); err != nil {
		return storageError("follow the changes of the store", err)
	}
	s.stopFlush = make(chan struct{})
	s.flushDone = make(chan struct{})
	go s.flushLoop()
	return nil
}

// Generation counts the changes to the account, the team and its keys
// since the store was opened. A view computed from the store stays valid
// while the generation it was computed at is current.
func (s *Store) Generation() uint64 { return s.generation.Load() }

// Location says where the account's data lives, for people: the data
// directory, or the shared store.
func (s *Store) Location() string { return s.b.Location() }

// Now returns the time on the store's clock, the one key statuses are
// computed at.
func (s *Store) Now() time.Time { return s.opts.Now() }

// Describe says where the data is and, where the backend can tell, how it
// keeps it (a shared store's persistence): what `keyward serve` logs when
// it starts.
func (s *Store) Describe() string {
	if d, ok := s.b.(interface{ Describe() string }); ok {
		return d.Describe()
	}
	return s.Location()
}

// Close writes pending last-used times and closes the store and its
// backend. It is safe to call more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.stopFlush)
		<-s.flushDone
		flushErr := s.flushOnClose()
		s.writeMu.Lock()
		s.closed = true
		s.advance(s.applied) // wakes a change waiting in catchUp
		s.writeMu.Unlock()
		s.stopWatch() // a delivery in progress sees closed and returns
		s.readMu.Lock()
		closeErr := s.b.Close()
		s.readMu.Unlock()
		s.closeErr = storageError("close the store", errors.Join(flushErr, closeErr))
	})
	return s.closeErr
}

var errClosed = &Error{Code: EInternal, Message: "The data store is closed.", Err: ErrClosed}

// maxAttempts bounds how often a change is built again after another
// process committed first. Between attempts it waits a random time of up
// to retryWait, doubled each time, so that writers that keep colliding
// spread out.
const (
	maxAttempts = 16
	retryWait   = time.Millisecond
	maxRetry    = 100 * time.Millisecond
)

// tx is one change being built: the batch of writes, the time it is made
// at (whole seconds, as Redis Cloud's API shows times) and who makes it.
type tx struct {
	s     *Store
	now   time.Time
	actor Actor
	ops   []Op
}

// change runs fn as one transaction on behalf of actor, who must be allowed
// to administer the account. Every change ends up here.
func (s *Store) change(actor Actor, fn func(*tx) error) error {
	if !actor.Role.CanAdminister() {
		return Errorf(EForbidden, "Only an Owner can change the account; %s is a %s.", actor.Name, actor.Role)
	}
	return s.update(actor, fn)
}

// update builds a batch with fn against the index and commits it, guarded
// by the revision the index reflects. When another process committed
// first, the index catches up and fn runs again, so every rule is checked
// against the state the batch lands on. fn may run more than once and
// must have no effect but on t.
func (s *Store) update(actor Actor, fn func(*tx) error) error {
	for attempt := 1; ; attempt++ {
		s.writeMu.Lock()
		if s.closed {
			s.writeMu.Unlock()
			return errClosed
		}
		t := &tx{s: s, now: s.opts.Now().UTC().Truncate(time.Second), actor: actor}
		if err := s.Failure(); err != nil {
			s.writeMu.Unlock()
			return err
		}
		if err := fn(t); err != nil {
			s.writeMu.Unlock()
			return err
		}
		if len(t.ops) == 0 {
			s.writeMu.Unlock()
			return nil
		}
		kinds, err := s.commitLocked(s.applied, t.ops)
		s.writeMu.Unlock()
		if errors.Is(err, ErrConflict) && attempt < maxAttempts {
			time.Sleep(rand.N(min(retryWait<<attempt, maxRetry)))
			s.catchUp()
			continue
		}
		if err != nil {
			return s.commitError("save the change", err)
		}
		s.notify(kinds)
		return nil
	}
}

// write commits a batch of records that are not in the index (tasks),
// whatever the revision; op names the write for an error message.
func (s *Store) write(op string, ops []Op) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if s.closed {
		return errClosed
	}
	if err := s.Failure(); err != nil {
		return err
	}
	return s.commitError(op, s.writeLocked(AnyRev, ops))
}

// commitLocked commits a change and applies it to the index, holding the
// index across the commit: no request is authenticated against a state
// that is no longer, or not yet, in storage. The caller holds writeMu.
func (s *Store) commitLocked(expect Rev, ops []Op) (changes, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rev, err := s.b.Commit(expect, ops)
	if err != nil {
		return changes{}, err
	}
	// rev is applied+1: expect was applied.
	kinds := s.applyLocked(ops)
	s.advance(rev)
	return kinds, nil
}

// writeLocked commits a batch that leaves the index as it is: last-used
// times taken from it, tasks. It does not hold the index, so that
// authentication never waits for the write to reach the disk. If another
// handle's batch came in between (only with AnyRev), the watch applies
// both, in order. The caller holds writeMu.
func (s *Store) writeLocked(expect Rev, ops []Op) error {
	rev, err := s.b.Commit(expect, ops)
	if err == nil && rev == s.applied+1 {
		s.advance(rev)
	}
	return err
}

// applyLocked applies committed ops to the index. The caller holds writeMu
// and mu.
func (s *Store) applyLocked(ops []Op) changes {
	var kinds changes
	for _, op := range ops {
		k, err := s.apply(&s.ix, op)
		if err != nil {
			s.logf("%s", ErrorMessage(err))
		}
		kinds.add(k)
	}
	if (kinds.main|kinds.also)&(kindAccount|kindUsers|kindKeys) != 0 {
		s.generation.Add(1)
	}
	return kinds
}

// advance records that the index reflects rev. The caller holds writeMu.
func (s *Store) advance(rev Rev) {
	s.applied = rev
	close(s.advanced)
	s.advanced = make(chan struct{})
}

// commitError says why op could not be saved. A storage that failed under
// the store (ErrFailed) makes it refuse every change from then on.
func (s *Store) commitError(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrFailed):
		return s.fail(storageError(op, err))
	case errors.Is(err, ErrUnreachable):
		return unreachable(err)
	case errors.Is(err, ErrClosed):
		return errClosed
	case errors.Is(err, ErrTooLarge):
		return Errorf(EInvalid, "This change touches too many records to be saved at once.")
	case errors.Is(err, ErrConflict):
		return &Error{Code: EConflict, Err: err, Message: "Other changes to the account kept coming in while this one was saved: try again."}
	}
	return storageError(op, err)
}

// unreachable is the error of an operation a shared store could not be
// reached for: nothing happened, and it may be tried again.
func unreachable(err error) error {
	return &Error{Code: EUnavailable, Err: err, Message: Sentence(ErrorMessage(err)) + " Nothing was changed; try again once it is back. Keyward keeps answering from what it has meanwhile."}
}

// fail records that the storage failed with err, once, and tells the log
// and the subscribers; it returns the error changes get from then on.
func (s *Store) fail(err error) error {
	s.failMu.Lock()
	first := s.failure == nil
	if first {
		s.failure = &Error{Code: EUnavailable, Err: errors.Join(ErrFailed, err), Message: Sentence(ErrorMessage(err)) +
			" Keyward keeps answering from what it has, but refuses changes until it is restarted; fix the storage first."}
	}
	failure := s.failure
	s.failMu.Unlock()
	if first {
		s.logf("%s", ErrorMessage(failure))
		go s.notify(changes{main: kindStorage})
	}
	return failure
}

// Failure returns why the storage failed under the store, which then
// refuses changes, or nil while it works.
func (s *Store) Failure() error {
	s.failMu.Lock()
	defer s.failMu.Unlock()
	return s.failure
}

// watched applies a batch the backend reports: another handle's, or this
// one's, which the index already reflects. A gap, or a feed that lost
// track, reloads the index.
func (s *Store) watched(c Commit) {
	s.writeMu.Lock()
	if s.closed {
		s.writeMu.Unlock()
		return
	}
	var kinds changes
	switch {
	case c.Reset || c.Rev > s.applied+1:
		kinds = s.reloadLocked()
	case c.Rev == s.applied+1:
		s.mu.Lock()
		kinds = s.applyLocked(c.Ops)
		s.advance(c.Rev)
		s.mu.Unlock()
	}
	s.writeMu.Unlock()
	s.notify(kinds)
}

// catchUpWait is how long a change that lost a race waits for the watch to
// bring the index up to date before reloading it.
const catchUpWait = 5 * time.Second

// catchUp waits until the index reflects the backend's latest revision,
// or reloads it.
func (s *Store) catchUp() {
	target, err := s.b.Rev()
	if err != nil {
		return // the next attempt reports it
	}
	timeout := time.NewTimer(catchUpWait)
	defer timeout.Stop()
	for {
		s.writeMu.Lock()
		applied, advanced, closed := s.applied, s.advanced, s.closed
		if applied >= target || closed {
			s.writeMu.Unlock()
			return
		}
		s.writeMu.Unlock()
		select {
		case <-advanced:
		case <-timeout.C:
			s.writeMu.Lock()
			kinds := s.changedSince(target)
			s.writeMu.Unlock()
			s.notify(kinds)
			return
		}
	}
}

// changedSince reloads the index unless it has reached rev meanwhile. The
// caller holds writeMu.
func (s *Store) changedSince(rev Rev) changes {
	if s.applied >= rev || s.closed {
		return changes{}
	}
	return s.reloadLocked()
}

// reloadLocked reads every record again into a new index and puts it in
// place of the old one, keeping the last-used times not yet written. The
// caller holds writeMu.
func (s *Store) reloadLocked() changes {
	var fresh index
	rev, err := s.load(&fresh)
	if err != nil {
		s.logf("Could not reload the account's data: %s", ErrorMessage(err))
		return changes{}
	}
	s.mu.Lock()
	fresh.keepUsage(&s.ix)
	s.ix = fresh
	s.generation.Add(1)
	s.advance(rev)
	s.mu.Unlock()
	return changes{main: kindAll}
}

func (s *Store) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}

func (t *tx) put(key []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return storageError("encode a record", err)
	}
	t.ops = append(t.ops, Op{Key: key, Value: b})
	return nil
}

func (t *tx) del(key []byte) { t.ops = append(t.ops, Op{Key: key}) }

// log appends a system-log entry to the change.
func (t *tx) log(resource string, resourceID int64, event, description string) error {
	id, err := t.s.next(seqLog)
	if err != nil {
		return err
	}
	rec := logRecord{V: recordVersion, SystemLogEntry: SystemLogEntry{ID: id, Time: t.now, Originator: t.actor.Name,
		APIKeyName: t.actor.APIKeyName, Resource: resource, ResourceID: resourceID, Type: event, Description: description}}
	return t.put(idKey(prefixSysLog, id), rec)
}

// next returns the next value of a sequence: a new id.
func (s *Store) next(seq string) (int64, error) {
	v, err := s.b.Next(seq)
	if err != nil {
		if errors.Is(err, ErrClosed) {
			return 0, errClosed
		}
		return 0, storageError("allocate an id", err)
	}
	return int64(v), nil
}

// scan calls fn with the value of every record under prefix, in key order
// or, if reverse, in reverse key order, until fn returns false.
func (s *Store) scan(prefix []byte, reverse bool, fn func([]byte) (bool, error)) error {
	s.readMu.RLock()
	defer s.readMu.RUnlock()
	err := s.b.Scan(prefix, reverse, func(_, v []byte) (bool, error) { return fn(v) })
	return readError(err)
}

// get decodes the record at key into v; it reports false if there is none.
func (s *Store) get(key []byte, v versioned) (bool, error) {
	s.readMu.RLock()
	b, found, err := s.b.Get(key)
	s.readMu.RUnlock()
	if err != nil || !found {
		return false, readError(err)
	}
	return true, decode(b, v)
}

func readError(err error) error {
	var e *Error
	switch {
	case errors.Is(err, ErrClosed):
		return errClosed
	case errors.Is(err, ErrUnreachable):
		return unreachable(err)
	case err == nil || errors.As(err, &e):
		return err
	}
	return storageError("read the store", err)
}

// ReleaseMemory asks the backend to give back what it holds but no longer
// needs (see MemoryReleaser), as a console does once its first screen is
// up.
func (s *Store) ReleaseMemory() {
	if r, ok := s.b.(MemoryReleaser); ok {
		r.ReleaseMemory()
	}
}
