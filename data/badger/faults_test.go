package badger

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"keyward/data"
)

// fileSums returns every file under dir with its mode and a hash of its
// contents: what a refused open must leave exactly as it was.
func fileSums(t *testing.T, dir string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		sums[path] = fmt.Sprintf("%v %x", info.Mode(), sha256.Sum256(b))
		return nil
	})
	must(t, err)
	return sums
}

func sameFiles(t *testing.T, before, after map[string]string) {
	t.Helper()
	for path, sum := range before {
		if after[path] != sum {
			t.Errorf("%s changed: %q, was %q", path, after[path], sum)
		}
	}
	for path := range after {
		if _, ok := before[path]; !ok {
			t.Errorf("%s was created", path)
		}
	}
}

// storeWithTables writes an account into dir, closed so that its records
// are in table files.
func storeWithTables(t *testing.T, dir string) {
	t.Helper()
	s, err := OpenStore(dir, data.Options{})
	must(t, err)
	_, _, err = s.Init(data.NewAccount{AccountName: "Acme", OwnerName: "Ada Owner", OwnerEmail: "ada@example.com", OwnerPassword: "a long owner password"})
	must(t, err)
	for i := range 50 {
		_, err := s.AddUser(data.CommandLine, data.NewUser{Name: fmt.Sprintf("User %d", i), Email: fmt.Sprintf("u%d@example.com", i), Role: data.RoleViewer})
		must(t, err)
	}
	must(t, s.Close())
	tables, _ := filepath.Glob(filepath.Join(dir, "badger", "*.sst"))
	if len(tables) == 0 {
		t.Fatal("closing the store left no table file")
	}
}

func wantDamaged(t *testing.T, err error, what string) {
	t.Helper()
	if !errors.Is(err, data.ErrDamaged) || data.ErrorCode(err) != data.EInternal ||
		!strings.Contains(err.Error(), what) || !strings.Contains(err.Error(), "Nothing was changed") ||
		!strings.Contains(err.Error(), "keyward restore") {
		t.Fatalf("Open = %v, want the damaged error naming %q", err, what)
	}
}

// TestMissingManifestIsRefused: without its MANIFEST, Badger would write an
// empty one and delete every table file; Keyward refuses the directory
// and leaves every file as it was.
func TestMissingManifestIsRefused(t *testing.T) {
	dir := t.TempDir()
	storeWithTables(t, dir)
	must(t, os.Remove(filepath.Join(dir, "badger", "MANIFEST")))
	before := fileSums(t, dir)
	for range 2 {
		_, err := OpenStore(dir, data.Options{})
		wantDamaged(t, err, "MANIFEST is missing")
		sameFiles(t, before, fileSums(t, dir))
	}
}

func TestDamagedManifestIsRefused(t *testing.T) {
	for name, damage := range map[string]func(path string) error{
		"overwritten": func(path string) error { return os.WriteFile(path, []byte("not a manifest at all"), 0o600) },
		"empty":       func(path string) error { return os.Truncate(path, 0) },
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			storeWithTables(t, dir)
			must(t, damage(filepath.Join(dir, "badger", "MANIFEST")))
			before := fileSums(t, dir)
			_, err := OpenStore(dir, data.Options{})
			wantDamaged(t, err, "not a Badger manifest")
			sameFiles(t, before, fileSums(t, dir))
		})
	}
}

func TestUnreadableManifestIsRefused(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		t.Skip("needs Unix permissions that bind the user (root reads everything)")
	}
	dir := t.TempDir()
	storeWithTables(t, dir)
	manifest := filepath.Join(dir, "badger", "MANIFEST")
	must(t, os.Chmod(manifest, 0))
	defer os.Chmod(manifest, 0o600)
	_, err := OpenStore(dir, data.Options{})
	wantDamaged(t, err, "MANIFEST cannot be read")
}

// TestEmptyLogFilesLeftByACrashAreRemoved: a crash between creating a
// memtable or value-log file and sizing it leaves it empty, which Badger
// refuses to open (dgraph-io/badger#2207). It holds nothing: Keyward
// removes it, says so, and opens with every record.
func TestEmptyLogFilesLeftByACrashAreRemoved(t *testing.T) {
	for _, name := range []string{"00009.mem", "000009.vlog"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			storeWithTables(t, dir)
			empty := filepath.Join(dir, "badger", name)
			must(t, os.WriteFile(empty, nil, 0o600))
			var mu sync.Mutex
			var logged []string
			s, err := OpenStore(dir, data.Options{Logf: func(f string, a ...any) {
				mu.Lock()
				defer mu.Unlock()
				logged = append(logged, fmt.Sprintf(f, a...))
			}})
			must(t, err)
			defer s.Close()
			if n := len(s.Users()); n != 51 {
				t.Fatalf("the store opened with %d users, want 51", n)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(logged) != 1 || !strings.Contains(logged[0], "removed "+empty+", an empty file left by an interrupted write") {
				t.Fatalf("logged %q", logged)
			}
		})
	}
}

// TestDamagedTableIsReported: a table file with damaged bytes is the
// damaged error when the store opens, not a panic, and the file is left
// for recovery.
func TestDamagedTableIsReported(t *testing.T) {
	dir := t.TempDir()
	storeWithTables(t, dir)
	tables, _ := filepath.Glob(filepath.Join(dir, "badger", "*.sst"))
	b, err := os.ReadFile(tables[0])
	must(t, err)
	for i := 64; i < len(b)/2; i++ {
		b[i] ^= 0x5a
	}
	must(t, os.WriteFile(tables[0], b, 0o600))
	before := fileSums(t, dir)
	_, err = OpenStore(dir, data.Options{})
	wantDamaged(t, err, "is damaged")
	if after := fileSums(t, dir); after[tables[0]] != before[tables[0]] {
		t.Fatal("the damaged table file was changed")
	}
}

// TestNewFilesArePrivateWhateverTheUmask opens a store under umask 000 in
// a data directory someone made world-readable: what is there is
// tightened, once, with a word, and every file written after is 0600.
func TestNewFilesArePrivateWhateverTheUmask(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix permission bits")
	}
	old := setUmask(0)
	defer setUmask(old)
	dir := filepath.Join(t.TempDir(), "kw")
	must(t, os.Mkdir(dir, 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("left here"), 0o644))
	var logged []string
	s, err := OpenStore(dir, data.Options{Logf: func(f string, a ...any) { logged = append(logged, fmt.Sprintf(f, a...)) }})
	must(t, err)
	_, _, err = s.Init(data.NewAccount{AccountName: "Acme", OwnerName: "Ada Owner", OwnerEmail: "ada@example.com", OwnerPassword: "a long owner password"})
	must(t, err)
	_, err = s.SetAPIEnabled(data.CommandLine, true) // writes the seal key
	must(t, err)
	must(t, s.Close())
	if len(logged) != 1 || !strings.Contains(logged[0], "Made the data directory "+dir+" private: 2 files or folders") {
		t.Fatalf("logged %q", logged)
	}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if perm := info.Mode().Perm(); perm&^want != 0 {
			t.Errorf("%s has mode %v, more open than %v", path, perm, want)
		}
		return nil
	})
	must(t, err)
	// Opening again finds nothing to tighten and says nothing.
	logged = nil
	s, err = OpenStore(dir, data.Options{Logf: func(f string, a ...any) { logged = append(logged, fmt.Sprintf(f, a...)) }})
	must(t, err)
	must(t, s.Close())
	if len(logged) != 0 {
		t.Fatalf("the second opening logged %q", logged)
	}
}

// TestDirectoryGoneRefusesChangesAndCloses removes the data directory
// under an open store: changes are refused from then on, with a word, and
// Close still returns.
func TestDirectoryGoneRefusesChangesAndCloses(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows cannot remove a directory with open files")
	}
	dir := filepath.Join(t.TempDir(), "kw")
	var mu sync.Mutex
	var logged []string
	s, err := OpenStore(dir, data.Options{Logf: func(f string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		logged = append(logged, fmt.Sprintf(f, a...))
	}})
	must(t, err)
	_, owner, err := s.Init(data.NewAccount{AccountName: "Acme", OwnerName: "Ada Owner", OwnerEmail: "ada@example.com", OwnerPassword: "a long owner password"})
	must(t, err)
	must(t, os.RemoveAll(dir))
	_, err = s.AddUser(data.CommandLine, data.NewUser{Name: "Vic", Email: "vic@example.com", Role: data.RoleViewer})
	if !errors.Is(err, data.ErrFailed) || data.ErrorCode(err) != data.EUnavailable || !strings.Contains(err.Error(), "is gone or was replaced") {
		t.Fatalf("a change after the directory went = %v", err)
	}
	// Every later change is refused at once, the reads go on.
	_, err = s.AddUser(data.CommandLine, data.NewUser{Name: "Lou", Email: "lou@example.com", Role: data.RoleViewer})
	if data.ErrorCode(err) != data.EUnavailable {
		t.Fatalf("a second change = %v", err)
	}
	if u, err := s.User(owner.ID); err != nil || u.Name != "Ada Owner" {
		t.Fatalf("reading after the failure = %v, %v", u, err)
	}
	if s.Failure() == nil {
		t.Fatal("the store does not report its failure")
	}
	s.Close() // returns, within the engine's close timeout
	mu.Lock()
	defer mu.Unlock()
	failures := 0
	for _, l := range logged {
		if strings.Contains(l, "is gone or was replaced") {
			failures++
		}
	}
	if failures != 1 {
		t.Fatalf("the failure was logged %d times: %q", failures, logged)
	}
}
