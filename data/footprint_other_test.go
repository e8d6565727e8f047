//go:build !unix

package data

import "os"

func allocatedSize(fi os.FileInfo) int64 { return fi.Size() }
