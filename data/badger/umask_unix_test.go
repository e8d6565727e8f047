//go:build unix

package badger

import "syscall"

// setUmask sets the process's umask and returns the one it replaces.
func setUmask(mask int) int { return syscall.Umask(mask) }
