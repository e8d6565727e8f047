//go:build unix

package badger

import "syscall"

// freeSpace returns the space left to an unprivileged user on the disk that
// holds dir, and whether it could be told.
func freeSpace(dir string) (uint64, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return uint64(st.Bavail) * uint64(st.Bsize), true
}
