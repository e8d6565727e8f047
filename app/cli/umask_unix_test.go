//go:build unix

package cli

import "syscall"

func keepPrivate() { syscall.Umask(0o077) }
