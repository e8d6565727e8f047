package badger

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/dgraph-io/badger/v4/table"
	"github.com/dgraph-io/ristretto/v2/z"

	"keyward/data"
)

// The store never makes things worse than it found them (SPEC §4,
// "Faults"). Badger, left to itself, can: without a MANIFEST it writes an
// empty one and deletes every table file the new one does not list; after
// a crash between creating a log file and sizing it, it refuses to open
// (dgraph-io/badger#2207); a damaged table or a full disk under its
// memory-mapped files is a panic or a SIGBUS. Open checks the directory
// before Badger sees it, and every call into the engine runs under guard.

// manifestMagic is how a Badger MANIFEST starts.
var manifestMagic = []byte("Bdgr")

// checkDirectory refuses a database directory that Badger would damage or
// misread: one that holds table, value-log or memtable files but no
// MANIFEST, or a MANIFEST that cannot be read or is not Badger's. It reads
// and changes nothing else.
func checkDirectory(dataDir, dbDir string) error {
	entries, err := os.ReadDir(dbDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // a new data directory
	}
	if err != nil {
		return failed("read the data directory "+dbDir, err)
	}
	var records []string
	hasManifest := false
	for _, e := range entries {
		switch name := e.Name(); {
		case name == "MANIFEST":
			hasManifest = true
		case strings.HasSuffix(name, ".sst"), strings.HasSuffix(name, ".vlog"), strings.HasSuffix(name, ".mem"):
			records = append(records, name)
		}
	}
	if !hasManifest {
		if len(records) == 0 {
			return nil // created, then left before Badger wrote anything
		}
		return damaged(dataDir, fmt.Sprintf("its file %s is missing, but it holds %s of records (%s)",
			filepath.Join(dbDir, "MANIFEST"), data.Count(len(records), "file", "files"), strings.Join(first(records, 3), ", ")), nil)
	}
	f, err := os.Open(filepath.Join(dbDir, "MANIFEST"))
	if err != nil {
		return damaged(dataDir, "its MANIFEST cannot be read ("+err.Error()+")", err)
	}
	defer f.Close()
	head := make([]byte, len(manifestMagic))
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head, manifestMagic) {
		return damaged(dataDir, "its MANIFEST is not a Badger manifest (it is truncated or overwritten)", err)
	}
	return nil
}

func first(names []string, n int) []string {
	if len(names) > n {
		return append(names[:n:n], "…")
	}
	return names
}

// isDamage tells whether Badger could not open a directory for what it
// holds (a checksum, a header, a missing file), rather than for the system
// (permissions, space).
func isDamage(err error) bool {
	return !errors.Is(err, fs.ErrPermission) && !errors.Is(err, syscall.ENOSPC) && !errors.Is(err, syscall.EROFS)
}

// damaged is the error of a data directory Keyward will not open as it is.
func damaged(dataDir, what string, cause error) error {
	return &data.Error{Code: data.EInternal, Err: errors.Join(data.ErrDamaged, cause), Message: fmt.Sprintf(
		"The data directory %s is damaged: %s. Nothing was changed. "+
			"Restore your latest backup into a new directory with 'keyward restore BACKUP --data NEW_DIR' "+
			"(see \"Backup and restore\" in the README), or move this one aside and keep it for recovery.", dataDir, what)}
}

// verifyTables checks the checksums of every table file the MANIFEST
// lists, before Badger opens them: Badger opens them from goroutines of
// its own, where a damaged one is a panic no caller can recover, and it
// skips a table whose checksum is wrong, which would lose its records
// without a word. The files are mapped read-only and left as they are.
func verifyTables(dataDir, dbDir string, opt badger.Options) error {
	f, err := os.Open(filepath.Join(dbDir, badger.ManifestFilename))
	if errors.Is(err, fs.ErrNotExist) {
		return nil // a new directory (checkDirectory refused the rest)
	}
	if err != nil {
		return damaged(dataDir, "its MANIFEST cannot be read ("+err.Error()+")", err)
	}
	manifest, _, err := badger.ReplayManifestFile(f, opt.ExternalMagicVersion, opt)
	f.Close()
	if err != nil {
		return damaged(dataDir, "its MANIFEST cannot be read ("+err.Error()+")", err)
	}
	// One table at a time on each core: the other core is idle before
	// Badger opens, and a store of 100,000 keys spent a fifth of its
	// opening here.
	type job struct {
		name        string
		compression options.CompressionType
	}
	jobs := make(chan job)
	errs := make(chan error, len(manifest.Tables))
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(1, len(manifest.Tables))) {
		wg.Go(func() {
			for j := range jobs {
				if err := verifyTable(j.name, j.compression, opt); err != nil {
					errs <- damaged(dataDir, "its table file "+j.name+" is damaged ("+firstLine(err.Error())+")", err)
				}
			}
		})
	}
	for id, tm := range manifest.Tables {
		jobs <- job{table.NewFilename(id, dbDir), tm.Compression}
	}
	close(jobs)
	wg.Wait()
	close(errs)
	return <-errs // nil when there is none
}

// verifyTable reads one table file and checks its checksums, turning a
// panic, or a fault in the mapped file, into an error.
func verifyTable(name string, compression options.CompressionType, opt badger.Options) (err error) {
	mf, err := z.OpenMmapFile(name, os.O_RDONLY, 0)
	if err != nil {
		return err
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			mf.Close(-1)
			err = fmt.Errorf("its contents do not match its index or checksums: %s", firstLine(fmt.Sprint(r)))
		}
	}()
	t, err := table.OpenTable(mf, table.Options{ChkMode: options.OnTableRead, Compression: compression,
		BlockSize: opt.BlockSize, BloomFalsePositive: opt.BloomFalsePositive, TableSize: uint64(opt.BaseTableSize)})
	if err != nil {
		return err // OpenTable closed the file
	}
	// Not t.DecrRef, which would delete the file.
	return t.MmapFile.Close(-1)
}

// firstLine shortens an engine's message, which may be a multi-line dump,
// to its first line with text, of at most 160 characters.
func firstLine(msg string) string {
	for _, line := range strings.Split(msg, "\n") {
		if line = strings.Trim(line, " =\t"); line != "" {
			if r := []rune(line); len(r) > 160 {
				line = string(r[:160]) + "…"
			}
			return line
		}
	}
	return "no detail"
}

// removeEmptyLogs removes the memtable and value-log files of length zero
// that a crash between creating such a file and sizing it leaves behind:
// they hold nothing, and Badger refuses to open a directory with one. It
// reports what it removed through logf.
func removeEmptyLogs(dbDir string, logf func(string, ...any)) error {
	entries, err := os.ReadDir(dbDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return failed("read the data directory "+dbDir, err)
	}
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasSuffix(name, ".mem") && !strings.HasSuffix(name, ".vlog") {
			continue
		}
		info, err := e.Info()
		if err != nil || info.Size() != 0 {
			continue
		}
		path := filepath.Join(dbDir, name)
		if err := os.Remove(path); err != nil {
			return failed("remove the empty file "+path+" left by a crash", err)
		}
		if logf != nil {
			logf("storage: removed %s, an empty file left by an interrupted write", path)
		}
	}
	return nil
}

// guard runs a call into the engine for the data directory dir, turning a
// panic, or a memory fault in one of its mapped files (a damaged file, a
// full disk), into an error that says which: Keyward reports it and exits
// with status 1 instead of a stack trace.
func guard(dir, op string, call func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if err = checkSpace(dir); err == nil {
			err = damaged(dir, fmt.Sprintf("the storage engine failed to %s (%s)", op, firstLine(fmt.Sprint(r))), fmt.Errorf("%v", r))
		}
	}()
	return call()
}

// minFree is the space Badger may need at once: a new memtable file and a
// new value-log file, each mapped at twice its size, and a margin. Below
// it a write could fault in a mapped file, which no error reports.
const minFree = 2*memTableSize + 2*valueLogFileSize + 8<<20

// checkSpace refuses to write when the disk of the data directory dir has
// less than minFree left.
func checkSpace(dir string) error {
	free, ok := freeSpace(dir)
	if !ok || free >= minFree {
		return nil
	}
	return &data.Error{Code: data.EInternal, Err: data.ErrFull, Message: fmt.Sprintf(
		"The disk that holds the data directory %s is full: %.1f MiB free, and Keyward needs %d MiB to write safely. "+
			"Nothing was changed; free some space and try again.", dir, float64(free)/(1<<20), minFree>>20)}
}
