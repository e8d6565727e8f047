package badger

import (
	"io"
	"path/filepath"

	"keyward/data"
)

// SealKeyFileName is the seal key's file in a data directory, beside the
// database.
const SealKeyFileName = "seal.key"

// OpenStore opens the account's Store kept in the data directory dir: the
// Badger backend there and, unless opts names another, the seal key file
// dir/seal.key. The Badger engine's warnings go to opts.Logf too. While it
// is open, the store answers `keyward backup` run by another process
// (RequestBackup).
func OpenStore(dir string, opts data.Options) (*data.Store, error) {
	b, err := Open(dir, Options{Logf: opts.Logf})
	if err != nil {
		return nil, err
	}
	if opts.SealKeyFile == "" {
		opts.SealKeyFile = filepath.Join(b.Dir(), SealKeyFileName)
	}
	s, err := data.Open(b, opts)
	if err != nil {
		return nil, err
	}
	b.listenControl(func(w io.Writer) error { _, err := s.Backup(w); return err }, opts.Logf)
	return s, nil
}
