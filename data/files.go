package data

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
)

// WriteFile writes the file at path as Keyward writes every file it keeps:
// readable by its owner only (0600), written to a temporary name beside
// it, synced, and moved into place, with the directory synced after, so
// that a crash leaves either the old file or the whole new one. With
// exclusive, an existing file at path is refused and left as it is.
func WriteFile(path string, exclusive bool, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return folderError(dir, err)
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

// folderError says why no file can be made in the folder dir, without the
// name of the temporary file that was tried.
func folderError(dir string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	info, statErr := os.Stat(dir)
	switch {
	case errors.Is(statErr, fs.ErrNotExist):
		return Errorf(EInvalid, "The folder %s does not exist: create it first, or choose another place.", dir)
	case errors.Is(statErr, syscall.ENOTDIR), statErr == nil && !info.IsDir():
		return Errorf(EInvalid, "%s is not a folder: choose another place.", dir)
	case errors.Is(err, fs.ErrPermission):
		return Errorf(EInvalid, "Keyward may not create files in the folder %s: choose another place, or change the folder's permissions.", dir)
	}
	return Errorf(EInvalid, "Keyward cannot create files in the folder %s (%v): choose another place.", dir, err)
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
