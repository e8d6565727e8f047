//go:build unix

package badger

import (
	"os"
	"syscall"
)

// lockDir takes the data directory for this process, before Badger takes
// its own directory: what Open does to the files first (tightening their
// permissions, removing what a crash left) must not touch a directory
// another process holds. held reports that another process has it. The
// lock goes with the process; release gives it back sooner.
func lockDir(dir string) (release func(), held bool, err error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, false, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if err == syscall.EWOULDBLOCK {
			return nil, true, nil
		}
		return nil, false, err
	}
	return func() { f.Close() }, false, nil
}
