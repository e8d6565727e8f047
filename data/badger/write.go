package badger

import (
	"encoding/binary"
	"errors"

	"github.com/dgraph-io/badger/v4"

	"keyward/data"
)

// maxKeySize is the longest key Badger stores.
const maxKeySize = 65000

var (
	errConflict = &data.Error{Code: data.EConflict, Message: "The data changed meanwhile; try again.", Err: data.ErrConflict}
	errTooLarge = &data.Error{Code: data.EInvalid, Message: "This change touches too many records to be saved at once.", Err: data.ErrTooLarge}
)

// Commit writes ops and the next revision in one Badger transaction, synced
// to disk before it returns, and queues the batch for the watches. The
// watches are given ops as they are: they must not modify them.
func (b *Backend) Commit(expect data.Rev, ops []data.Op) (data.Rev, error) {
	if err := b.enter(); err != nil {
		return 0, err
	}
	defer b.leave()
	for _, op := range ops {
		if own(op.Key) {
			return 0, data.Errorf(data.EInvalid, "The key %q is reserved for the storage backend.", op.Key)
		}
		// No batch can hold such a record, which Badger would refuse with
		// a message that dumps it.
		if len(op.Key) > maxKeySize || int64(len(op.Key)+len(op.Value)) > b.db.MaxBatchSize() {
			return 0, errTooLarge
		}
	}
	b.commitMu.Lock()
	defer b.commitMu.Unlock()
	if expect != data.AnyRev && expect != b.rev {
		return 0, errConflict
	}
	if err := b.present(); err != nil {
		return 0, err
	}
	if err := checkSpace(b.dir); err != nil {
		return 0, err
	}
	rev := b.rev + 1
	err := guard(b.dir, "save a change", func() error {
		return b.db.Update(func(txn *badger.Txn) error {
			for _, op := range ops {
				var err error
				switch {
				case op.Value == nil:
					err = txn.Delete(op.Key)
				case op.TTL > 0:
					err = txn.SetEntry(badger.NewEntry(op.Key, op.Value).WithTTL(op.TTL))
				default:
					err = txn.Set(op.Key, op.Value)
				}
				if err != nil {
					return err
				}
			}
			return txn.Set(revKey, binary.BigEndian.AppendUint64(nil, uint64(rev)))
		})
	})
	if errors.Is(err, badger.ErrTxnTooBig) {
		return 0, errTooLarge
	}
	if err != nil {
		return 0, failed("save the change", errors.Join(data.ErrFailed, err))
	}
	b.mu.Lock()
	b.rev = rev
	for w := range b.watches {
		w.push(data.Commit{Rev: rev, Ops: ops})
	}
	b.mu.Unlock()
	return rev, nil
}

// Rev returns the revision of the latest commit.
func (b *Backend) Rev() (data.Rev, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, errClosed
	}
	return b.rev, nil
}

// emptySeqKey holds the sequence with the empty name.
var emptySeqKey = []byte("!seq")

// seqBandwidth is how many values of a sequence one lease reserves: a
// crash skips at most that many.
const seqBandwidth = 100

// Next returns the next value of the Badger sequence whose key is sequence,
// where the Store has always kept its id sequences, so ids continue after
// the ones handed out before. The empty name, which Badger cannot store as
// a key, is kept under a key of the backend's own.
func (b *Backend) Next(sequence string) (uint64, error) {
	if err := b.enter(); err != nil {
		return 0, err
	}
	defer b.leave()
	if own([]byte(sequence)) {
		return 0, data.Errorf(data.EInvalid, "The sequence name %q is reserved for the storage backend.", sequence)
	}
	var v uint64
	err := guard(b.dir, "allocate an id", func() error {
		// Under seqMu, so that Advance cannot release the lease meanwhile.
		b.seqMu.Lock()
		defer b.seqMu.Unlock()
		seq, err := b.sequence(sequence)
		if err != nil {
			return failed("read the sequence "+sequence, err)
		}
		for v == 0 { // a new Badger sequence starts at 0; values are positive
			if v, err = seq.Next(); err != nil {
				return failed("allocate an id", errors.Join(data.ErrFailed, err))
			}
		}
		return nil
	})
	return v, err
}

// Advance makes the sequence's later values greater than past: it gives
// back the sequence's lease, raises the value stored under its key to
// past+1 unless it is beyond that, and leases again from there.
func (b *Backend) Advance(sequence string, past uint64) error {
	if err := b.enter(); err != nil {
		return err
	}
	defer b.leave()
	if own([]byte(sequence)) {
		return data.Errorf(data.EInvalid, "The sequence name %q is reserved for the storage backend.", sequence)
	}
	return guard(b.dir, "advance the sequence "+sequence, func() error {
		b.seqMu.Lock()
		defer b.seqMu.Unlock()
		if seq, ok := b.seqs[sequence]; ok {
			if err := seq.Release(); err != nil {
				return failed("advance the sequence "+sequence, err)
			}
			delete(b.seqs, sequence)
		}
		key := seqKey(sequence)
		err := b.db.Update(func(txn *badger.Txn) error {
			item, err := txn.Get(key)
			switch {
			case errors.Is(err, badger.ErrKeyNotFound):
			case err != nil:
				return err
			default:
				var stored []byte
				if stored, err = item.ValueCopy(nil); err != nil {
					return err
				}
				if len(stored) == 8 && binary.BigEndian.Uint64(stored) > past {
					return nil
				}
			}
			return txn.Set(key, binary.BigEndian.AppendUint64(nil, past+1))
		})
		return failed("advance the sequence "+sequence, err)
	})
}

// seqKey is the Badger key of the named sequence.
func seqKey(name string) []byte {
	if name == "" {
		return emptySeqKey
	}
	return []byte(name)
}

// sequence returns the named sequence, leasing it on first use. The caller
// holds seqMu.
func (b *Backend) sequence(name string) (*badger.Sequence, error) {
	if seq, ok := b.seqs[name]; ok {
		return seq, nil
	}
	seq, err := b.db.GetSequence(seqKey(name), seqBandwidth)
	if err != nil {
		return nil, err
	}
	b.seqs[name] = seq
	return seq, nil
}
