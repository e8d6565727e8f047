//go:build !unix

package badger

import "os"

func allocatedSize(fi os.FileInfo) int64 { return fi.Size() }
