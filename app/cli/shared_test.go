package cli

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"keyward/app/api"
	"keyward/data"
	"keyward/data/backendtest"
	"keyward/data/badger"
)

// sharedStores stands in for Redis in these tests: one in-memory storage
// per URL, which any number of handles open, as processes share a server.
type sharedStores struct {
	mu sync.Mutex
	m  map[string]*backendtest.Memory
}

func (s *sharedStores) open(url string, opts data.Options) (*data.Store, error) {
	s.mu.Lock()
	m := s.m[url]
	if m == nil {
		m = backendtest.NewMemory()
		s.m[url] = m
	}
	s.mu.Unlock()
	b, err := m.Open()
	if err != nil {
		return nil, err
	}
	return data.Open(b, opts)
}

// runShared runs keyward with the shared stores and data directories.
func (s *sharedStores) run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(args, Env{Stdin: strings.NewReader(stdin), Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" },
		Open: badger.OpenStore, OpenShared: s.open, IsDataDir: badger.IsDataDir, RequestBackup: badger.RequestBackup, API: api.NewSupervisor})
	return code, stdout.String(), stderr.String()
}

func TestSharedStore(t *testing.T) {
	shared := &sharedStores{m: map[string]*backendtest.Memory{}}
	url := "redis://127.0.0.1:6379/0?account=acme"
	seal := filepath.Join(t.TempDir(), "acme.seal")
	code, _, stderr := shared.run(t, "a long owner password\n", "--store", url, "init", "--account", "Acme", "--owner-name", "Ada Owner", "--owner-email", "ada@example.com")
	if code != ExitUsage || !strings.Contains(stderr, "needs the seal key file of its account: give --seal-key-file FILE") {
		t.Fatalf("init without a seal key: %d %q", code, stderr)
	}
	code, stdout, stderr := shared.run(t, "a long owner password\n", "--store", url, "--seal-key-file", seal, "init", "--account", "Acme", "--owner-name", "Ada Owner", "--owner-email", "ada@example.com")
	if code != 0 || !strings.Contains(stdout, "Created the seal key file "+seal+". Every machine that uses this account needs a copy of it") {
		t.Fatalf("init: %d %q %q", code, stdout, stderr)
	}
	if fi, err := os.Stat(seal); err != nil || fi.Size() != 32 || fi.Mode().Perm()&0o077 != 0 {
		t.Fatalf("the seal key file: %v %v", fi, err)
	}
	if code, _, stderr := shared.run(t, "", "--data", t.TempDir(), "--store", url, "users", "list"); code != ExitUsage || !strings.Contains(stderr, "--data and --store") {
		t.Fatalf("--data with --store: %d %q", code, stderr)
	}
	// No lock: a store held open elsewhere, a command beside it.
	held, err := shared.open(url, data.Options{SealKeyFile: seal})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	for _, args := range [][]string{{"api", "enable"}, {"keys", "create", "--name", "shared-key-01", "--user", "ada@example.com"}} {
		if code, _, stderr := shared.run(t, "", append([]string{"--store", url, "--seal-key-file", seal}, args...)...); code != 0 {
			t.Fatalf("keyward %s beside a held store: %d %q", args, code, stderr)
		}
	}
	// The held store follows the command's change as it would another
	// machine's: soon, not at once.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		_, err := held.UserKeyByName("shared-key-01")
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("5 s on, the held store does not see the command's key: %v", err)
		}
	}
}

// TestMigrate copies a data directory into a shared store and back: the
// same records, the same account key, the same keys authenticate.
func TestMigrate(t *testing.T) {
	shared := &sharedStores{m: map[string]*backendtest.Memory{}}
	root := t.TempDir()
	dir := filepath.Join(root, "data")
	accountKey, userKey := backupFlow(t, dir)
	url := "redis://127.0.0.1:6379/0?account=acme"
	for _, tt := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--data", dir, "migrate"}, ExitUsage, "migrate needs --to URL"},
		{[]string{"--data", dir, "migrate", "--to", url, "--from", url}, ExitUsage, "migrate needs --to URL"},
		{[]string{"--store", url, "--seal-key-file", "x", "migrate", "--to", url}, ExitUsage, "leave out --store"},
	} {
		if code, _, stderr := shared.run(t, "", tt.args...); code != tt.code || !strings.Contains(stderr, tt.msg) {
			t.Errorf("keyward %s: %d %q", tt.args, code, stderr)
		}
	}
	// An account not there (a name in another case, say): the URL's
	// password is not repeated.
	if code, _, stderr := shared.run(t, "", "--store", "redis://:Hunter2pw@127.0.0.1:6379/0?account=Acme", "--seal-key-file", "x", "keys", "list"); code != 1 ||
		!strings.Contains(stderr, "has no account yet: check the account= of the store URL (names are case-sensitive)") || strings.Contains(stderr, "Hunter2") {
		t.Fatalf("keys list on an account not there: %d %q", code, stderr)
	}
	for _, u := range []string{"redis://u:Hunter2pw@h:1/2?account=a&password=Hunter2pw", "redis://u:1/Hunter2pw@h:1/2"} {
		if got := (Location{Store: u}).String(); got != "the shared store redis://h:1/2" {
			t.Fatalf("a store URL is shown as %q", got)
		}
	}
	code, stdout, stderr := shared.run(t, "", "--data", dir, "migrate", "--to", url)
	if code != 0 || !strings.Contains(stdout, "Copied the account Acme") || !strings.Contains(stdout, "uses this directory's seal key file "+filepath.Join(dir, "seal.key")) {
		t.Fatalf("migrate --to: %d %q %q", code, stdout, stderr)
	}
	if code, _, stderr := shared.run(t, "", "--data", dir, "migrate", "--to", url); code != 1 || !strings.Contains(stderr, "already holds data") {
		t.Fatalf("migrating twice: %d %q", code, stderr)
	}
	seal := filepath.Join(dir, "seal.key")
	code, stdout, _ = shared.run(t, "", "--store", url, "--seal-key-file", seal, "api", "account-key")
	if code != 0 || stdout != accountKey+"\n" {
		t.Fatalf("the shared store's account key: %d %q", code, stdout)
	}
	back := filepath.Join(root, "back")
	// Another seal key is named as the wrong one, and nothing is made.
	wrong := filepath.Join(root, "wrong.key")
	if err := os.WriteFile(wrong, bytes.Repeat([]byte{7}, 32), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = shared.run(t, "", "--data", back, "--seal-key-file", wrong, "migrate", "--from", url)
	if want := "The seal key file " + strconv.Quote(wrong) + " does not open the account key of "; code != 1 || !strings.Contains(stderr, want) {
		t.Fatalf("migrate --from with another seal key: %d %q, want %q", code, stderr, want)
	}
	if _, err := os.Stat(back); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("migrate --from with another seal key left %s: %v", back, err)
	}
	code, stdout, stderr = shared.run(t, "", "--data", back, "--seal-key-file", seal, "migrate", "--from", url)
	if code != 0 || !strings.Contains(stdout, "The data directory has its own copy of the seal key") {
		t.Fatalf("migrate --from: %d %q %q", code, stdout, stderr)
	}
	for _, open := range []func() (*data.Store, error){
		func() (*data.Store, error) { return shared.open(url, data.Options{SealKeyFile: seal}) },
		func() (*data.Store, error) { return badger.OpenStore(back, data.Options{}) },
	} {
		s, err := open()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(accountKey, userKey, loopback); err != nil {
			t.Errorf("%s refuses the key: %v", s.Location(), err)
		}
		s.Close()
	}

	// A machine without the account's seal key cannot enable the API with
	// one of its own, which would lock every other machine out of the
	// account key, unless asked to make a new one.
	elsewhere := filepath.Join(root, "elsewhere.key")
	for _, step := range []struct {
		args   []string
		code   int
		output string
	}{
		{[]string{"api", "disable"}, 0, "The REST API is disabled"},
		{[]string{"api", "enable"}, 1, "This machine has no copy of the account's seal key file (" + elsewhere + ")"},
		{[]string{"api", "enable", "--new-seal-key"}, 0, "sealed with a new seal key in " + elsewhere + ": copy that file to every machine"},
	} {
		code, stdout, stderr := shared.run(t, "", append([]string{"--store", url, "--seal-key-file", elsewhere}, step.args...)...)
		if code != step.code || !strings.Contains(stdout+stderr, step.output) {
			t.Fatalf("keyward %s: %d %q %q, want %d saying %q", step.args, code, stdout, stderr, step.code, step.output)
		}
	}
	if code, _, stderr := shared.run(t, "", "--store", url, "--seal-key-file", seal, "api", "account-key"); code != 1 || !strings.Contains(stderr, "does not match it") {
		t.Fatalf("the old seal key after a new one: %d %q", code, stderr)
	}
}
