package cli

import (
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"keyward/data"
	"keyward/data/backendtest"
	"keyward/data/badger"
)

// backupFlow makes an account with a key and the API enabled in dir, and
// returns the account key and the user key.
func backupFlow(t *testing.T, dir string) (accountKey, userKey string) {
	t.Helper()
	saved := runFlow(t, runInProcess, dir, []step{
		{args: []string{"init", "--account", "Acme", "--owner-name", "Ada Owner", "--owner-email", "ada@example.com"},
			stdin: "a long owner password\n", stdout: `(?s).*`},
		{args: []string{"api", "enable"}, stdout: `(?s).*`},
		{args: []string{"api", "account-key"}, stdout: accountKeyRE, save: "account"},
		{args: []string{"keys", "create", "--name", "backed-up-key", "--user", "ada@example.com"}, stdout: userKeyRE, save: "key"},
	})
	return saved["account"], saved["key"]
}

func TestBackupAndRestore(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "data")
	accountKey, userKey := backupFlow(t, dir)
	file := filepath.Join(root, "acme.backup")
	runFlow(t, runInProcess, dir, []step{
		{args: []string{"backup", file},
			stdout: `Backed up the account Acme to .*acme.backup \(\d+ records\)\.\nThe account key is in it sealed, and its seal key is not: keep a copy of the seal key file .*seal.key too, apart from the backup\. Restoring needs it .*--seal-key-file.*\n`},
		{args: []string{"backup", file}, code: 1, stderr: "already exists: choose another file name"},
		{args: []string{"backup", ""}, code: 1, stderr: "The backup file name is empty: give one"},
		{args: []string{"backup", "-"}, code: 1, stderr: "not to standard output: give a file name"},
		{args: []string{"backup", filepath.Join(root, "none", "x.backup")}, code: 1, stderr: "The folder " + filepath.Join(root, "none") + " does not exist: create it first"},
		{args: []string{"restore", ""}, code: 1, stderr: "The backup file name is empty"},
		{args: []string{"restore", "-"}, code: 1, stderr: "A backup is restored from its file, not from standard input"},
	})
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the backup file: %v, %v", fi, err)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), accountKey) || strings.Contains(string(b), userKey) {
		t.Fatal("the backup holds a key in plaintext")
	}

	// With the seal key: the same account key, the same user key works.
	restored := filepath.Join(root, "restored")
	runFlow(t, runInProcess, restored, []step{
		{args: []string{"restore", file, "--seal-key-file", filepath.Join(dir, "seal.key")},
			stdout: `Restored the account Acme \(\d+ records, backed up .*\) into .*restored\.\nThe account key was recovered with the seal key\.\n`},
		{args: []string{"api", "account-key"}, stdout: regexpQuote(accountKey) + `\n`},
		{args: []string{"keys", "list"}, stdout: `(?s).*backed-up-key.*active.*`},
		{args: []string{"restore", file}, code: 1, stderr: "is not empty: restore into a new directory"},
	})
	s, err := badger.OpenStore(restored, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(accountKey, userKey, loopback); err != nil {
		t.Fatalf("the restored store refuses the key: %v", err)
	}
	s.Close()

	// Without it: a warning that says what to do.
	runFlow(t, runInProcess, filepath.Join(root, "unsealed"), []step{
		{args: []string{"restore", file},
			stdout: `(?s)Restored the account Acme .*The account key cannot be recovered without the seal key .*--seal-key-file.*'keyward api disable' and 'keyward api enable'.*`},
	})
	// With the wrong one: refused, and the new directory left as it was.
	wrong := filepath.Join(root, "wrong.key")
	if err := os.WriteFile(wrong, []byte(strings.Repeat("x", 32)), 0o600); err != nil {
		t.Fatal(err)
	}
	mismatch := filepath.Join(root, "mismatch")
	runFlow(t, runInProcess, mismatch, []step{
		{args: []string{"restore", file, "--seal-key-file", wrong}, code: 1, stderr: "does not match the account key in this backup"},
	})
	if _, err := os.Stat(mismatch); !os.IsNotExist(err) {
		t.Fatalf("a refused restore left %s behind: %v", mismatch, err)
	}
	// A damaged backup is refused before anything is written.
	damaged := filepath.Join(root, "damaged.backup")
	if err := os.WriteFile(damaged, b[:len(b)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	runFlow(t, runInProcess, filepath.Join(root, "from-damaged"), []step{
		{args: []string{"restore", damaged}, code: 1, stderr: "The backup is incomplete"},
	})
	if _, err := os.Stat(filepath.Join(root, "from-damaged")); !os.IsNotExist(err) {
		t.Fatal("a refused restore created its directory")
	}
}

// TestRestoreAfterACrash: a data directory that a restore stopped in the
// middle of (a crash, a power cut: nothing cleared it) says so to every
// command, refuses init, and the same restore run again completes it.
func TestRestoreAfterACrash(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "data")
	accountKey, userKey := backupFlow(t, dir)
	file := filepath.Join(root, "acme.backup")
	runFlow(t, runInProcess, dir, []step{{args: []string{"backup", file}, stdout: `(?s).*`}})
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	b, err := data.ReadBackup(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	crashed := filepath.Join(root, "crashed")
	backend, err := badger.Open(crashed, badger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := data.Open(backendtest.Halting(backend, 1), data.Options{SealKeyFile: filepath.Join(crashed, "seal.key")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Restore(b, nil); err == nil {
		t.Fatal("the halting backend let the restore finish")
	}
	s.Close()

	unfinished := "that did not finish: run the same restore (or migrate --from) again; it starts over."
	runFlow(t, runInProcess, crashed, []step{
		{args: []string{"keys", "list"}, code: 1, stderr: unfinished},
		{args: []string{"init", "--account", "Other", "--owner-name", "Olga", "--owner-email", "olga@example.com"},
			stdin: "a long owner password\n", code: 1, stderr: unfinished},
		{args: []string{"restore", file, "--seal-key-file", filepath.Join(dir, "seal.key")},
			stdout: `Restored the account Acme .* into .*crashed\.\nThe account key was recovered with the seal key\.\n`},
		{args: []string{"api", "account-key"}, stdout: regexpQuote(accountKey) + `\n`},
		{args: []string{"restore", file}, code: 1, stderr: "is not empty: restore into a new directory"},
	})
	s, err = badger.OpenStore(crashed, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Authenticate(accountKey, userKey, loopback); err != nil {
		t.Fatalf("the key does not authenticate once the restore ran again: %v", err)
	}

	// Stopped before it wrote anything: the store is there, and empty.
	early := filepath.Join(root, "early")
	empty, err := badger.OpenStore(early, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	empty.Close()
	runFlow(t, runInProcess, early, []step{
		{args: []string{"restore", file}, stdout: `(?s)Restored the account Acme .* into .*early\..*`},
	})
}

// TestBackupWhileTheStoreIsHeld backs up a data directory that the
// console or serve holds: the holder makes the backup.
func TestBackupWhileTheStoreIsHeld(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "data")
	accountKey, userKey := backupFlow(t, dir)
	held, err := badger.OpenStore(dir, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	file := filepath.Join(root, "held.backup")
	runFlow(t, runInProcess, dir, []step{
		{args: []string{"keys", "list"}, code: 1, stderr: "is in use by another Keyward"},
		{args: []string{"backup", file}, stdout: `(?s)Backed up the account Acme to .*held.backup.*`},
	})
	restored := filepath.Join(root, "restored")
	runFlow(t, runInProcess, restored, []step{
		{args: []string{"restore", file, "--seal-key-file", filepath.Join(dir, "seal.key")}, stdout: `(?s).*recovered with the seal key.*`},
		{args: []string{"api", "account-key"}, stdout: regexpQuote(accountKey) + `\n`},
	})
	s, err := badger.OpenStore(restored, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Authenticate(accountKey, userKey, loopback); err != nil {
		t.Fatalf("the key does not authenticate on the restored store: %v", err)
	}
}

func regexpQuote(s string) string { return regexp.QuoteMeta(s) }

var loopback = netip.MustParseAddr("127.0.0.1")
