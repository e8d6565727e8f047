package badger

import (
	"bytes"
	"errors"

	"github.com/dgraph-io/badger/v4"
)

// Get returns a copy of the value stored at key and whether there is one.
func (b *Backend) Get(key []byte) ([]byte, bool, error) {
	if err := b.enter(); err != nil {
		return nil, false, err
	}
	defer b.leave()
	// Badger cannot store an empty key, and the backend's own keys hold no
	// records.
	if len(key) == 0 || own(key) {
		return nil, false, nil
	}
	var value []byte
	err := guard(b.dir, "read a record", func() error {
		return b.db.View(func(txn *badger.Txn) error {
			item, err := txn.Get(key)
			if err != nil {
				return err
			}
			value, err = item.ValueCopy(nil)
			return err
		})
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, failed("read a record", err)
	}
	return nonNil(value), true, nil
}

// Scan calls fn with the records under prefix from one read transaction,
// which sees one state of the database. fn must not call Close, which
// waits for the Scan.
func (b *Backend) Scan(prefix []byte, reverse bool, fn func(key, value []byte) (bool, error)) error {
	if err := b.enter(); err != nil {
		return err
	}
	defer b.leave()
	return guard(b.dir, "read records", func() error { return b.scan(prefix, reverse, fn) })
}

func (b *Backend) scan(prefix []byte, reverse bool, fn func(key, value []byte) (bool, error)) error {
	return b.db.View(func(txn *badger.Txn) error {
		o := badger.DefaultIteratorOptions
		o.Reverse = reverse
		// Prefetching starts a goroutine and copies the value for every
		// record, for values Badger holds in its tables anyway (they are
		// below ValueThreshold): a tenth of the time a 100,000-key store
		// took to open.
		o.PrefetchValues = false
		start := prefix
		if reverse {
			// Backwards, Seek goes to the last key at or before its
			// argument: it is given the first key after the prefix's (nil,
			// the end, if there is none), which it steps over if there.
			// Prefix, which only narrows the tables read, stays unset:
			// Valid would hide that key, and Seek(nil) mean Seek(Prefix).
			start = after(prefix)
		} else {
			o.Prefix = prefix
		}
		it := txn.NewIterator(o)
		defer it.Close()
		it.Seek(start)
		if reverse && it.Valid() && bytes.Equal(it.Item().Key(), start) {
			it.Next()
		}
		for ; it.ValidForPrefix(prefix); it.Next() {
			item := it.Item()
			if own(item.Key()) {
				continue
			}
			var more bool
			var fnErr error
			if err := item.Value(func(v []byte) error {
				more, fnErr = fn(item.Key(), nonNil(v))
				return nil
			}); err != nil {
				return failed("read a record", err)
			}
			if fnErr != nil || !more {
				return fnErr
			}
		}
		return nil
	})
}

// after returns the first key after every key that starts with prefix, or
// nil if there is none: the prefix is empty or all 0xff.
func after(prefix []byte) []byte {
	for i := len(prefix) - 1; i >= 0; i-- {
		if prefix[i] != 0xff {
			k := bytes.Clone(prefix[:i+1])
			k[i]++
			return k
		}
	}
	return nil
}

// nonNil returns the value of a record, which Badger gives as nil when it
// is empty, as a non-nil slice: a nil Value is a deletion, and a caller
// that writes back what it read must not turn an empty record into one.
func nonNil(value []byte) []byte {
	if value == nil {
		return []byte{}
	}
	return value
}
