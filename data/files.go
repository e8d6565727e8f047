package data

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
)

// WriteFile writes the file at path as Keyward writes every file it keeps:
// readable by its owner only (0600), written to a temporary name beside
// it, synced, and moved into place, with the directory synced after, so
// that a crash leaves either the old file or the whole new one. With
// exclusive, an existing file at path is refused and left as it is.
func WriteFile(path string, exclusive bool, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return err
	}
	if err := write(tmp); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if exclusive {
		// A hard link fails where a file is already there, which a rename
		// would replace.
		if err := os.Link(tmp.Name(), path); err != nil {
			return err
		}
		os.Remove(tmp.Name())
	} else if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	done = true
	return SyncDir(filepath.Dir(path))
}

// SyncDir makes the entries of a directory (a file just created or renamed
// in it) durable, as far as the system lets a program ask: Windows has no
// way to sync a directory (its renames are durable enough there), so it is
// skipped there, as Badger does; elsewhere a real failure is reported.
func SyncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	// Some file systems do not sync directories either.
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	return nil
}
