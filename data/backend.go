package data

import (
	"errors"
	"time"
)

// Backend is what the Store needs of a storage engine: atomic batches of
// set and delete guarded by a revision, sequences, reads of one record or
// of a key prefix in order, and a feed of committed batches. The rules all
// run above it, on the Store's in-memory index, so the contract stays small
// and knows nothing of keys, users or roles. data/badger keeps one account
// in a local directory; the conformance suite in data/backendtest holds
// every backend to this contract.
//
// Keys are opaque, non-empty bytes ordered bytewise; the layout the Store
// writes is in schema.go. Keys that start with '!' are the backend's own (a
// backend may keep its revision there) and never appear in a Scan of the
// Store's prefixes. A backend may keep a sequence under its name as a key:
// the Store never reads or writes a key that names a sequence.
//
// Every method is safe for concurrent use. Close waits for the calls in
// progress; after it, every method but Close and Location returns an error
// wrapping ErrClosed.
type Backend interface {
	// Commit applies ops as one atomic batch, in order (of two ops on one
	// key, the later wins), if the backend's revision is still expect
	// (AnyRev skips the check), and returns the batch's revision: the
	// previous one plus one. On a stale expect it returns an error wrapping
	// ErrConflict and changes nothing. An acknowledged batch survives a
	// crash of the process. Commit takes ownership of ops; an empty batch
	// commits a revision with no writes.
	Commit(expect Rev, ops []Op) (Rev, error)
	// Rev returns the revision of the latest committed batch; 0 for a store
	// that has never been written.
	Rev() (Rev, error)
	// Next returns the next value of the named sequence: positive,
	// increasing, and never handed out twice, across reopening and across
	// handles, though values may be skipped.
	Next(sequence string) (uint64, error)
	// Advance makes the named sequence's later values greater than past,
	// and leaves a sequence already beyond it as it is: a restored store
	// goes on from where its backup was taken.
	Advance(sequence string, past uint64) error
	// Get returns the value stored at key and whether there is one. The
	// value is the caller's to keep.
	Get(key []byte) ([]byte, bool, error)
	// Scan calls fn with every record whose key starts with prefix, in key
	// order or, with reverse, in reverse key order, until fn returns false
	// or an error, which Scan returns. The key and value are valid only
	// during the call, and must not be modified. A Scan sees one
	// consistent state of the records.
	Scan(prefix []byte, reverse bool, fn func(key, value []byte) (bool, error)) error
	// Watch calls fn, in revision order and one at a time, with every batch
	// committed after revision from, by this handle or any other, until
	// stop is called or the backend is closed. stop may be called more than
	// once, and waits for a call in progress: neither it nor Close may be
	// called from fn. When the backend cannot tell what was committed after
	// from (its history is gone, the feed was interrupted, from is ahead of
	// it), it delivers a Commit with Reset set instead, after which the
	// watcher must read the records again. The ops delivered may be shared
	// between watchers: fn must not modify them.
	Watch(from Rev, fn func(Commit)) (stop func(), err error)
	// Location says where the records live, for people: a directory, a
	// server address and account.
	Location() string
	// Close releases the backend. It is safe to call more than once.
	Close() error
}

// Rev is a backend's revision: the number of batches committed to it.
type Rev uint64

// AnyRev, given to Commit as the expected revision, commits whatever the
// current revision is: for writes that depend on nothing the Store read,
// such as last-used times and tasks.
const AnyRev = ^Rev(0)

// Op is one write of a batch: Value is stored at Key or, when Value is
// nil, Key is deleted.
type Op struct {
	Key   []byte
	Value []byte
	// TTL, when positive, makes the record expire about that long after
	// the commit (a backend may round to whole seconds): reads no longer
	// see it.
	TTL time.Duration
}

// Commit is a committed batch, as Watch delivers it.
type Commit struct {
	Rev Rev
	Ops []Op
	// Reset means the watcher lost track of the batches up to Rev: it must
	// read every record again; Ops is empty.
	Reset bool
}

// MemoryReleaser is a Backend that can give back memory it holds but no
// longer needs, such as the pages of the files it read at open.
type MemoryReleaser interface {
	ReleaseMemory()
}

// SharedBackend is a Backend that several machines use at once (Redis).
// Each of them has a copy of the account's seal key file, so a missing
// one is never made anew without being asked: a new seal key would leave
// every other machine unable to read the account key.
type SharedBackend interface {
	Shared() bool
}

// Errors a Backend returns; test for them with errors.Is. Besides these,
// a backend wraps data.ErrFailed in an error of a storage that failed under
// it (the Store then refuses changes until it is opened again), and
// data.ErrUnreachable in one of a shared store it cannot reach for now
// (the operation did not happen, and the next may).
var (
	// ErrConflict: the batch was built against a revision that is no
	// longer the latest.
	ErrConflict = errors.New("the store changed meanwhile")
	// ErrTooLarge: the batch is larger than the backend commits at once.
	ErrTooLarge = errors.New("the batch is too large")
	// ErrClosed: the backend, or the Store, has been closed.
	ErrClosed = errors.New("the store is closed")
)
