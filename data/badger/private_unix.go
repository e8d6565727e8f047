//go:build unix

package badger

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"keyward/data"
)

// keepPrivate sets the process's umask to 077, whatever it was, so that
// every file Badger (or the seal key, or a backup) creates from now on is
// its owner's alone: 0600, and directories 0700.
func keepPrivate() { syscall.Umask(0o077) }

// makePrivate tightens the files and directories of the data directory dir
// that are more open than 0600 and 0700, and tells logf once. Symbolic
// links and sockets are left alone.
func makePrivate(dir string, logf func(string, ...any)) error {
	tightened := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if perm := info.Mode().Perm(); perm&^want != 0 {
			if err := os.Chmod(path, perm&want); err != nil {
				return err
			}
			tightened++
		}
		return nil
	})
	if err != nil {
		return failed("make the data directory "+dir+" private", err)
	}
	if tightened > 0 && logf != nil {
		logf("Made the data directory %s private: %s in it could be read by other users of this computer.",
			dir, data.Count(tightened, "file or folder", "files or folders"))
	}
	return nil
}
