package data

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Last-used times change on every authenticated request, far too often to
// write each one with a synced transaction. Authentication records them in
// memory; flushLoop writes the changed ones every FlushInterval, and Close
// writes whatever is left, so a clean shutdown loses none.

// flushBatch bounds the records per batch, well inside the size a backend
// commits at once.
const flushBatch = 1000

func (s *Store) flushLoop() {
	defer close(s.flushDone)
	ticker := time.NewTicker(s.opts.FlushInterval)
	defer ticker.Stop()
	failing := "" // what the last flush that failed said: said once
	for {
		select {
		case <-s.stopFlush:
			return
		case <-ticker.C:
			err := s.FlushLastUsed()
			switch {
			case err != nil && ErrorMessage(err) != failing:
				failing = ErrorMessage(err)
				if s.opts.Logf != nil {
					s.opts.Logf("Cannot save last-used times: %s", failing)
				}
			case err == nil && failing != "":
				failing = ""
				if s.opts.Logf != nil {
					s.opts.Logf("Last-used times are saved again.")
				}
			}
		}
	}
}

// FlushLastUsed writes pending last-used times to disk now.
func (s *Store) FlushLastUsed() error {
	s.writeMu.Lock()
	if s.closed {
		s.writeMu.Unlock()
		return errClosed
	}
	n, _, err := s.flushLastUsedLocked()
	s.writeMu.Unlock()
	if n > 0 {
		s.notify(changes{main: kindLastUsed})
	}
	if errors.Is(err, ErrConflict) {
		return nil // another process wrote first; the next flush writes them
	}
	return err
}

// flushOnClose writes pending last-used times before the store closes,
// again when another process's batch came first, and for a few seconds
// while a shared store is out of reach (a restart). What it could not
// write is lost, and its error says how much.
func (s *Store) flushOnClose() error {
	deadline := time.Now().Add(closeFlushPatience)
	for conflicts := 1; ; {
		s.writeMu.Lock()
		_, left, err := s.flushLastUsedLocked()
		s.writeMu.Unlock()
		switch {
		case err == nil:
			return nil
		case errors.Is(err, ErrConflict) && conflicts < maxAttempts:
			conflicts++
			s.catchUp()
		case errors.Is(err, ErrUnreachable) && time.Now().Before(deadline):
			time.Sleep(closeFlushPatience / 20)
		default:
			var cause *Error
			msg := ErrorMessage(err)
			if errors.As(err, &cause) && cause.Err != nil && errors.Is(err, ErrUnreachable) {
				msg = ErrorMessage(cause.Err) // without "nothing was changed; try again"
			}
			return &Error{Code: ErrorCode(err), Err: err, Message: fmt.Sprintf(
				"The last use of %s since the last save could not be saved before closing, and is lost: %s", Count(left, "key", "keys"), Sentence(msg))}
		}
	}
}

// closeFlushPatience is how long Close tries to save last-used times in
// a shared store that does not answer (a variable for tests).
var closeFlushPatience = 5 * time.Second

type pendingUse struct {
	k  *keyEntry
	op Op
}

// flushLastUsedLocked writes the dirty last-used records, guarded by the
// revision the index reflects: the caller holds writeMu, so no key can be
// deleted here meanwhile, and a key another process deleted makes the
// write conflict rather than put a record of the deleted key back. It
// returns how many records it wrote and, when it failed, how many it
// left for the next attempt.
func (s *Store) flushLastUsedLocked() (written, left int, err error) {
	if s.Failure() != nil {
		return 0, 0, nil // said once, when the storage failed
	}
	if !s.lastUsedDirty.Swap(false) {
		return 0, 0, nil
	}
	var pending []pendingUse
	s.mu.RLock()
	for id, k := range s.ix.keys {
		k.usage.Lock()
		if k.dirty {
			k.dirty = false
			b, err := json.Marshal(k.lastUsedRecord())
			if err == nil {
				pending = append(pending, pendingUse{k: k, op: Op{Key: uuidKey(prefixLastUsed, id), Value: b}})
			}
		}
		k.usage.Unlock()
	}
	s.mu.RUnlock()
	for start := 0; start < len(pending); start += flushBatch {
		batch := pending[start:min(start+flushBatch, len(pending))]
		ops := make([]Op, len(batch))
		for i, p := range batch {
			ops[i] = p.op
		}
		if err := s.writeLocked(s.applied, ops); err != nil {
			// Keep what was not written for the next attempt.
			for _, p := range pending[start:] {
				p.k.usage.Lock()
				p.k.dirty = true
				p.k.usage.Unlock()
			}
			s.lastUsedDirty.Store(true)
			if errors.Is(err, ErrConflict) {
				return start, len(pending) - start, err
			}
			return start, len(pending) - start, s.commitError("save last-used times", err)
		}
	}
	return len(pending), 0, nil
}
