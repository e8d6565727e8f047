package badger

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"keyward/data"
)

// copyTree copies the directory src into dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	must(t, filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o600)
	}))
}

// TestOpensAStoreWrittenBeforeTheLifecycle opens testdata/v1store, a data
// directory written by Keyward before key expiry, disable and roll
// (128aa3b: an account, a Viewer, the API enabled, one key with one CIDR
// rule): its key reads active, never expiring, enabled, not rolled, with
// its rule; a lifecycle change then writes a version 2 record, which
// reopens as it was left.
func TestOpensAStoreWrittenBeforeTheLifecycle(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, filepath.Join("testdata", "v1store"), dir)
	s, err := OpenStore(dir, data.Options{FlushInterval: time.Hour})
	must(t, err)
	keys := s.UserKeys()
	if len(keys) != 1 {
		t.Fatalf("%d keys", len(keys))
	}
	k := keys[0]
	if k.Name != "fixture-key-01" || k.UserName != "Vic Viewer" || k.Status != data.KeyActive || !k.ExpiresAt.IsZero() ||
		!k.DisabledAt.IsZero() || !k.GraceUntil.IsZero() || k.Description != "" || k.AllowList.Summary() != "1 rule" {
		t.Fatalf("the old key reads %+v", k)
	}
	if a, err := s.Account(); err != nil || !a.APIEnabled || a.Name != "Acme" {
		t.Fatalf("account %+v, %v", a, err)
	}
	at := time.Now().Add(48 * time.Hour).UTC().Round(time.Second)
	_, err = s.SetKeyExpiry(data.CommandLine, k.ID, at)
	must(t, err)
	_, err = s.DisableUserKey(data.CommandLine, k.ID)
	must(t, err)
	must(t, s.Close())
	s, err = OpenStore(dir, data.Options{FlushInterval: time.Hour})
	must(t, err)
	defer s.Close()
	k, err = s.UserKey(k.ID)
	must(t, err)
	if k.Status != data.KeyDisabled || !k.ExpiresAt.Equal(at) || k.AllowList.Summary() != "1 rule" {
		t.Fatalf("reopened: %+v", k)
	}
}
