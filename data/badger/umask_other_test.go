//go:build !unix

package badger

// setUmask does nothing where there is no umask (Windows); the tests that
// need one skip there.
func setUmask(int) int { return 0 }
