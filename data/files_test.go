package data

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestSyncDir holds SyncDir to its contract on every OS: an existing
// directory syncs (on Windows, where a directory cannot be synced, it is
// skipped and succeeds: the failure "Access denied" on a fresh data
// directory was issue 15's); a missing one is an error elsewhere; and a
// file written with WriteFile, which ends with SyncDir, is there.
func TestSyncDir(t *testing.T) {
	dir := t.TempDir()
	if err := SyncDir(dir); err != nil {
		t.Fatalf("SyncDir of a directory: %v", err)
	}
	missing := filepath.Join(dir, "missing")
	err := SyncDir(missing)
	switch {
	case runtime.GOOS == "windows" && err != nil:
		t.Fatalf("SyncDir on Windows must skip the sync, and failed: %v", err)
	case runtime.GOOS != "windows" && !errors.Is(err, fs.ErrNotExist):
		t.Fatalf("SyncDir of a missing directory = %v, want it not to exist", err)
	}
	path := filepath.Join(dir, "seal.key")
	if err := WriteFile(path, true, func(w io.Writer) error { _, err := w.Write([]byte("0123456789abcdef0123456789abcdef")); return err }); err != nil {
		t.Fatalf("a file written to a fresh directory: %v", err)
	}
	if b, err := os.ReadFile(path); err != nil || len(b) != 32 {
		t.Fatalf("read back: %d bytes, %v", len(b), err)
	}
}

// TestWriteFileInAFolderThatCannotHoldIt: a file that cannot be made says
// why of the folder the user named, not of the temporary file tried.
func TestWriteFileInAFolderThatCannotHoldIt(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for path, says := range map[string]string{
		filepath.Join(dir, "missing", "x.backup"): "The folder " + filepath.Join(dir, "missing") + " does not exist: create it first",
		filepath.Join(file, "x.backup"):           file + " is not a folder: choose another place.",
	} {
		err := WriteFile(path, true, func(w io.Writer) error { _, err := w.Write([]byte("x")); return err })
		if ErrorCode(err) != EInvalid || !strings.HasPrefix(ErrorMessage(err), says) || strings.Contains(ErrorMessage(err), ".tmp") {
			t.Errorf("WriteFile(%s) = %v; want it to say %q", path, err, says)
		}
	}
}
