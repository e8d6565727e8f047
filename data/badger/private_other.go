//go:build !unix

package badger

// makePrivate does nothing where files have no Unix permission bits: on
// Windows the data directory inherits the user profile's access list.
func makePrivate(string, func(string, ...any)) error { return nil }
