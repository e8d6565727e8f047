//go:build unix

package badger

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"keyward/data"
)

// makePrivate makes the data directory dir its owner's alone, whatever the
// umask: it sets the process's umask to 077, so that every file Badger (or
// the seal key, or a backup) creates from now on is 0600 and every
// directory 0700, and tightens what is already there and more open than
// that, which logf hears of once. Symbolic links are not followed.
func makePrivate(dir string, logf func(string, ...any)) error {
	syscall.Umask(0o077)
	tightened := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
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
