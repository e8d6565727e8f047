package data

import (
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"
)

// Last-used times change on every authenticated request, far too often to
// write each one with a synced transaction. Authentication records them in
// memory; flushLoop writes the changed ones every FlushInterval, and Close
// writes whatever is left, so a clean shutdown loses none.

// flushBatch bounds the records per transaction, well inside Badger's
// transaction size limit.
const flushBatch = 1000

func (s *Store) flushLoop() {
	defer close(s.flushDone)
	ticker := time.NewTicker(s.opts.FlushInterval)
	defer ticker.Stop()
	for {
		select {
		case <-s.stopFlush:
			return
		case <-ticker.C:
			if err := s.FlushLastUsed(); err != nil && s.opts.Logf != nil {
				s.opts.Logf("%s", ErrorMessage(err))
			}
		}
	}
}

// FlushLastUsed writes pending last-used times to disk now.
func (s *Store) FlushLastUsed() error {
	s.writeMu.Lock()
	if s.db == nil {
		s.writeMu.Unlock()
		return errClosed
	}
	n, err := s.flushLastUsedLocked()
	s.writeMu.Unlock()
	if n > 0 {
		s.notify([]Change{{Kind: ChangeLastUsed}})
	}
	return err
}

type pendingUse struct {
	id  uuid.UUID
	k   *keyEntry
	rec lastUsedRecord
}

// flushLastUsedLocked writes the dirty last-used records. The caller holds
// writeMu, so no key can be deleted meanwhile and no record of a deleted
// key is written back. It returns how many records it wrote.
func (s *Store) flushLastUsedLocked() (int, error) {
	if !s.lastUsedDirty.Swap(false) {
		return 0, nil
	}
	var pending []pendingUse
	s.mu.RLock()
	for id, k := range s.ix.keys {
		k.usage.Lock()
		if k.dirty {
			k.dirty = false
			rec := lastUsedRecord{V: recordVersion, At: k.lastUsedAt, RefusedAt: k.refusedAt}
			if k.lastUsedFrom.IsValid() {
				rec.From = k.lastUsedFrom.String()
			}
			if k.refusedFrom.IsValid() {
				rec.RefusedFrom = k.refusedFrom.String()
			}
			pending = append(pending, pendingUse{id: id, k: k, rec: rec})
		}
		k.usage.Unlock()
	}
	s.mu.RUnlock()
	for start := 0; start < len(pending); start += flushBatch {
		batch := pending[start:min(start+flushBatch, len(pending))]
		err := s.db.Update(func(txn *badger.Txn) error {
			t := &tx{txn: txn}
			for _, p := range batch {
				if err := t.put(uuidKey(prefixLastUsed, p.id), p.rec); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			// Keep what was not written for the next attempt.
			for _, p := range pending[start:] {
				p.k.usage.Lock()
				p.k.dirty = true
				p.k.usage.Unlock()
			}
			s.lastUsedDirty.Store(true)
			return start, storageError("save last-used times", err)
		}
	}
	return len(pending), nil
}
