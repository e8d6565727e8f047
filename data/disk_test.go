package data

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"keyward/data/clocktest"
)

// TestNoPlaintextSecretsOnDisk creates keys, uses them, closes the store and
// reads every file in the data directory: no key value, account or user,
// may appear in any of them, whole or without its prefix.
func TestNoPlaintextSecretsOnDisk(t *testing.T) {
	f := newFixture(t, diskStorage(t, ""))
	secrets := []string{f.accountKey}
	for i := range 40 {
		u := []User{f.owner, f.viewer, f.logsViewer}[i%3]
		k, secret := f.createKey(t, "scanned-key-"+string(rune('a'+i%26))+string(rune('a'+i/26)), u)
		secrets = append(secrets, secret)
		if i%2 == 0 {
			_, err := f.s.AddCIDRRule(CommandLine, k.ID, "127.0.0.0/8")
			must(t, err)
			_, err = f.s.Authenticate(f.accountKey, secret, loopback)
			must(t, err)
		}
	}
	// Delete a few, so that tombstones and the value log are exercised.
	for _, k := range f.s.UserKeys()[:5] {
		must(t, f.s.DeleteUserKey(CommandLine, k.ID))
	}
	dir := f.st.dir
	must(t, f.s.Close())

	files, names := 0, 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		names += bytes.Count(b, []byte("scanned-key-"))
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) || bytes.Contains(b, []byte(s[keyPrefixLen:keyPrefixLen+keyBodyLen])) {
				t.Errorf("%s holds a plaintext key (%s)", path, KeyHint(s))
			}
		}
		return nil
	})
	must(t, err)
	// Key names are stored as they are: finding them proves the scan reads
	// the records where the values would be.
	if files < 3 || names < 35 {
		t.Fatalf("the scan read %d files and found %d key names: it did not see the records", files, names)
	}
}

func TestDataDirectoryIsPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix permission bits; the directory inherits the user profile's ACL")
	}
	dir := filepath.Join(t.TempDir(), "new", "keyward")
	st := diskStorage(t, dir)
	s, _ := MustOpen(t, st)
	setUpFixture(t, st, s, clocktest.New())
	for _, p := range []string{dir, filepath.Join(dir, "badger")} {
		fi, err := os.Stat(p)
		must(t, err)
		if fi.Mode().Perm() != 0o700 {
			t.Errorf("%s has mode %v, want 0700", p, fi.Mode().Perm())
		}
	}
	fi, err := os.Stat(filepath.Join(dir, sealFileName))
	must(t, err)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("the seal key has mode %v, want 0600", fi.Mode().Perm())
	}
}
