package data

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// rawRecords returns every record of the store's tables, as stored.
func rawRecords(t *testing.T, s *Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, prefix := range append([][]byte{keyAccount, keySettings}, backupRecordPrefixes...) {
		must(t, s.b.Scan(prefix, false, func(k, v []byte) (bool, error) {
			out[string(k)] = string(v)
			return true, nil
		}))
	}
	return out
}

// backedUp backs s up and reads the backup back.
func backedUp(t *testing.T, s *Store) *Backup {
	t.Helper()
	var buf bytes.Buffer
	_, err := s.Backup(&buf)
	must(t, err)
	b, err := ReadBackup(&buf)
	must(t, err)
	return b
}

// busyFixture is a fixture with keys, rules, settings, sign-ins, a task and
// last-used times: a record of every kind.
func busyFixture(t *testing.T, st *storage) (*fixture, []string) {
	t.Helper()
	f := newFixture(t, st)
	var secrets []string
	for i, u := range []User{f.owner, f.viewer, f.logsViewer} {
		k, secret := f.createKey(t, "backed-up-key-"+string(rune('a'+i)), u)
		_, err := f.s.AddCIDRRule(CommandLine, k.ID, "10.0.0.0/8")
		must(t, err)
		_, err = f.s.Authenticate(f.accountKey, secret, netip.MustParseAddr("10.1.2.3"))
		must(t, err)
		secrets = append(secrets, secret)
	}
	_, err := f.s.SetSettings(CommandLine, Settings{APIAddr: "127.0.0.1:9443", RateLimit: 60})
	must(t, err)
	_, err = f.s.SignIn("ada@example.com", testPassword, SessionClient{UserAgent: "test", IPAddress: "127.0.0.1"})
	must(t, err)
	task, err := f.s.NewTask("userUpdateRequest", "Update user 2")
	must(t, err)
	task.Status = TaskCompleted
	must(t, f.s.SaveTask(task))
	must(t, f.s.FlushLastUsed())
	return f, secrets
}

// TestBackupRoundTrip backs up a store with a record of every kind and
// restores it, with its seal key, into a new store of the same backend:
// every record is there as it was, the same keys authenticate, the same
// account key shows, and ids go on from where they were.
func TestBackupRoundTrip(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f, secrets := busyFixture(t, st)
		var buf bytes.Buffer
		info, err := f.s.Backup(&buf)
		must(t, err)
		if info.Account != "Acme" || !info.AccountKeySealed || info.SealKeyFile != filepath.Join(st.dir, sealFileName) {
			t.Fatalf("backup info = %+v", info)
		}
		if bytes.Contains(buf.Bytes(), []byte(f.accountKey)) {
			t.Fatal("the backup holds the account key in plaintext")
		}
		for _, secret := range secrets {
			if bytes.Contains(buf.Bytes(), []byte(secret)) || bytes.Contains(buf.Bytes(), []byte(secret[keyPrefixLen:])) {
				t.Fatal("the backup holds a user key")
			}
		}
		sealKey, err := os.ReadFile(filepath.Join(st.dir, sealFileName))
		must(t, err)
		if bytes.Contains(buf.Bytes(), sealKey) {
			t.Fatal("the backup holds the seal key")
		}

		b, err := ReadBackup(bytes.NewReader(buf.Bytes()))
		must(t, err)
		if b.Info.Records != info.Records || b.Info.Account != "Acme" {
			t.Fatalf("read back: %+v, wrote %+v", b.Info, info)
		}
		fresh := &storage{backend: st.backend, dir: t.TempDir()}
		s2, _ := MustOpen(t, fresh)
		readable, err := s2.Restore(b, sealKey)
		must(t, err)
		if !readable {
			t.Fatal("the account key cannot be read after a restore with its seal key")
		}
		if got, want := rawRecords(t, s2), rawRecords(t, f.s); !reflect.DeepEqual(got, want) {
			t.Fatalf("restored records differ:\n%v\nwant\n%v", got, want)
		}
		if got, want := takeSnapshot(t, s2), takeSnapshot(t, f.s); !reflect.DeepEqual(got, want) {
			t.Fatalf("restored store shows\n%+v\nwant\n%+v", got, want)
		}
		key, err := s2.AccountKey(CommandLine, ShowAccountKey)
		must(t, err)
		if key != f.accountKey {
			t.Fatal("the restored account key differs")
		}
		for _, secret := range secrets {
			if _, err := s2.Authenticate(key, secret, netip.MustParseAddr("10.9.9.9")); err != nil {
				t.Fatalf("a key does not authenticate after the restore: %v", err)
			}
		}
		// Ids go on above the backed-up ones.
		before, _ := f.s.SystemLog(LogQuery{Limit: 1})
		u, err := s2.AddUser(CommandLine, NewUser{Name: "After Restore", Email: "after@example.com", Role: RoleViewer})
		must(t, err)
		after, _ := s2.SystemLog(LogQuery{Limit: 1})
		if u.ID <= f.member.ID || after[0].ID <= before[0].ID {
			t.Fatalf("ids went back: user %d (last %d), log %d (last %d)", u.ID, f.member.ID, after[0].ID, before[0].ID)
		}
		// The restored store reopens as it was.
		snap := takeSnapshot(t, s2)
		must(t, s2.Close())
		s3, _ := MustOpen(t, fresh)
		if !reflect.DeepEqual(takeSnapshot(t, s3), snap) {
			t.Fatal("the restored store changed on reopening")
		}
	})
}

// TestEnableAPIKeepsTheAccountsSealKey: once the account key of a shared
// store was sealed, enabling the API again where the seal key file is
// missing, or is another, is refused (in a data directory, a missing one
// is made anew) and makes no file (it would lock out every machine
// with the account's); --new-seal-key makes one where there is none.
func TestEnableAPIKeepsTheAccountsSealKey(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		_, secret := f.createKey(t, "sealed-key-01", f.owner)
		_, err := f.s.SetAPIEnabled(CommandLine, false)
		must(t, err)
		must(t, f.s.Close())
		open := func(sealFile string) *Store {
			s, err := st.open(Options{SealKeyFile: sealFile})
			must(t, err)
			return s
		}
		missing := filepath.Join(t.TempDir(), "seal.key")
		s := open(missing)
		if !s.shared() {
			// One machine's data directory: a seal key lost there is
			// lost for all, and enabling makes a new one.
			_, err = s.SetAPIEnabled(CommandLine, true)
			must(t, err)
			if _, err := os.Stat(missing); err != nil {
				t.Fatalf("enabling where the seal key is lost: %v", err)
			}
			must(t, s.Close())
			return
		}
		before := takeSnapshot(t, s)
		_, err = s.SetAPIEnabled(CommandLine, true)
		assertRefused(t, &fixture{s: s}, before, err, EConflict, "This machine has no copy of the account's seal key file")
		if _, err := os.Stat(missing); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("a refused enable made a seal key file: %v", err)
		}
		must(t, s.Close())

		other := filepath.Join(t.TempDir(), "other.key")
		must(t, os.WriteFile(other, bytes.Repeat([]byte{9}, 32), 0o600))
		s = open(other)
		_, err = s.SetAPIEnabled(CommandLine, true)
		wantCode(t, err, EConflict)
		if !strings.Contains(err.Error(), "is not the one this account's key is sealed with") {
			t.Fatalf("enabling with another seal key: %v", err)
		}
		_, err = s.EnableAPIWithNewSealKey(CommandLine)
		wantCode(t, err, EConflict)
		if !strings.Contains(err.Error(), "exists already") {
			t.Fatalf("a new seal key over a file: %v", err)
		}
		must(t, s.Close())

		// The account's own seal key enables it, as before.
		s = open(filepath.Join(st.dir, sealFileName))
		_, err = s.SetAPIEnabled(CommandLine, true)
		must(t, err)
		_, err = s.SetAPIEnabled(CommandLine, false)
		must(t, err)
		must(t, s.Close())

		// The seal key lost everywhere: a new one, where there is none.
		s = open(missing)
		_, err = s.EnableAPIWithNewSealKey(CommandLine)
		must(t, err)
		key, err := s.AccountKey(CommandLine, ShowAccountKey)
		must(t, err)
		if _, err := s.Authenticate(key, secret, loopback); err != nil {
			t.Fatalf("the key with the account key issued with a new seal key: %v", err)
		}
		if _, err := os.Stat(missing); err != nil {
			t.Fatalf("the new seal key file: %v", err)
		}
		must(t, s.Close())
		// From then on the old file is the wrong one.
		s = open(filepath.Join(st.dir, sealFileName))
		if _, err := s.AccountKey(CommandLine, ShowAccountKey); err == nil || !strings.Contains(err.Error(), "does not match it") {
			t.Fatalf("the old seal key after a new one: %v", err)
		}
		must(t, s.Close())
	})
}

// TestSharedAccountNamesItsSealKeyFromInit: an account made where its
// seal key file is (init on a shared store makes the file first) names
// it, so no machine without the file can enable the API with a new one
// even before the first enable; and a backup of it taken with the API
// disabled, restored where the same file is (migrate --to), still names
// it, while a wrong seal key is refused by the restore.
func TestSharedAccountNamesItsSealKeyFromInit(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		dir := t.TempDir()
		open := func(st *storage, sealFile string) *Store {
			s, err := st.open(Options{SealKeyFile: sealFile})
			must(t, err)
			t.Cleanup(func() { s.Close() })
			return s
		}
		seal := filepath.Join(dir, "seal.key")
		s := open(st, seal)
		if !s.shared() {
			return // a data directory makes a lost seal key anew (TestEnableAPIKeepsTheAccountsSealKey)
		}
		_, err := s.CreateSealKey()
		must(t, err)
		_, _, err = s.Init(NewAccount{AccountName: "Acme", OwnerName: "Ada Owner", OwnerEmail: "ada@example.com", OwnerPassword: testPassword})
		must(t, err)
		missing := filepath.Join(dir, "missing.key")
		_, err = open(st, missing).SetAPIEnabled(CommandLine, true)
		wantCode(t, err, EConflict)
		if _, statErr := os.Stat(missing); !strings.Contains(ErrorMessage(err), "has no copy") || statErr == nil {
			t.Fatalf("enabling without the file, before any enable: %v (file: %v)", err, statErr)
		}

		b := backedUp(t, s)
		if _, err := open(&storage{backend: st.backend, dir: t.TempDir()}, filepath.Join(dir, "other.key")).Restore(b, bytes.Repeat([]byte{5}, 32)); err == nil || !strings.Contains(err.Error(), "does not match") {
			t.Fatalf("a restore with another seal key, the API disabled: %v", err)
		}
		copied := &storage{backend: st.backend, dir: t.TempDir()}
		_, err = open(copied, seal).Restore(b, nil)
		must(t, err)
		_, err = open(copied, missing).SetAPIEnabled(CommandLine, true)
		wantCode(t, err, EConflict)
		_, err = open(copied, seal).SetAPIEnabled(CommandLine, true)
		must(t, err)
	})
}

// TestRestoreWithoutTheSealKey restores a backup without its seal key: the
// records are there, the keys still authenticate once a new account key is
// issued, and the old account key cannot be shown.
func TestRestoreWithoutTheSealKey(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f, secrets := busyFixture(t, st)
		b := backedUp(t, f.s)
		s2, _ := MustOpen(t, &storage{backend: st.backend, dir: t.TempDir()})
		readable, err := s2.Restore(b, nil)
		must(t, err)
		if readable {
			t.Fatal("the account key reads as recovered without the seal key")
		}
		if _, err := s2.AccountKey(CommandLine, ShowAccountKey); err == nil || !strings.Contains(err.Error(), "Disable and re-enable the API") {
			t.Fatalf("AccountKey = %v", err)
		}
		_, err = s2.SetAPIEnabled(CommandLine, false)
		must(t, err)
		_, err = s2.SetAPIEnabled(CommandLine, true)
		must(t, err)
		key, err := s2.AccountKey(CommandLine, ShowAccountKey)
		must(t, err)
		if _, err := s2.Authenticate(key, secrets[0], netip.MustParseAddr("10.0.0.1")); err != nil {
			t.Fatalf("a restored key does not authenticate with the new account key: %v", err)
		}
	})
}

func TestRestoreRefusesWhatItWouldOverwrite(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f, _ := busyFixture(t, st)
		b := backedUp(t, f.s)
		before := rawRecords(t, f.s)
		_, err := f.s.Restore(b, nil)
		wantCode(t, err, EConflict)
		if !strings.Contains(err.Error(), "already holds data") {
			t.Fatalf("restore over data = %v", err)
		}
		if !reflect.DeepEqual(rawRecords(t, f.s), before) {
			t.Fatal("a refused restore changed the store")
		}
		// Another seal key where the new store keeps its own is refused.
		other := &storage{backend: st.backend, dir: t.TempDir()}
		must(t, os.WriteFile(filepath.Join(other.dir, sealFileName), bytes.Repeat([]byte{7}, 32), 0o600))
		s2, _ := MustOpen(t, other)
		sealKey, err := os.ReadFile(filepath.Join(st.dir, sealFileName))
		must(t, err)
		_, err = s2.Restore(b, sealKey)
		wantCode(t, err, EConflict)
		if _, err := s2.Restore(b, []byte("short")); ErrorCode(err) != EInvalid {
			t.Fatalf("a seal key of the wrong length = %v", err)
		}
	})
}

// TestReadBackupRefusesDamage: a backup that was cut, altered, is of a newer
// format or is no backup at all is refused before anything is restored,
// and by the read back of a backup just written, which decodes no record
// line but the account's.
func TestReadBackupRefusesDamage(t *testing.T) {
	f, _ := busyFixture(t, diskStorage(t, ""))
	var buf bytes.Buffer
	_, err := f.s.Backup(&buf)
	must(t, err)
	good := buf.String()
	lines := strings.SplitAfter(good, "\n")
	altered := strings.Replace(good, "Ada Owner", "Eve Owner", 1)
	tests := []struct {
		name, text, message string
	}{
		{"empty", "", "not a Keyward backup"},
		{"another file", "hello\nworld\n", "not a Keyward backup"},
		{"cut short", strings.Join(lines[:len(lines)-3], ""), "incomplete"},
		{"altered", altered, "checksum does not match"},
		{"a line damaged", strings.Replace(good, `{"k":`, `{"k":"`, 1), "Line 2 of the backup is damaged"},
		{"a record damaged", strings.Replace(good, lines[3], lines[3][:len(lines[3])/2]+"\n", 1), "Line 4 of the backup is damaged"},
		{"newer format", strings.Replace(good, `"version":1`, `"version":9`, 1), "newer version of Keyward"},
		{"more after the end", good + lines[1], "goes on after its last line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadBackup(strings.NewReader(tt.text))
			wantCode(t, err, EInvalid)
			if !strings.Contains(err.Error(), tt.message) {
				t.Fatalf("ReadBackup = %v, want %q", err, tt.message)
			}
			_, err = readBackup(strings.NewReader(tt.text), false)
			wantCode(t, err, EInvalid)
			if !strings.Contains(err.Error(), tt.message) && !strings.Contains(err.Error(), "checksum does not match") {
				t.Fatalf("readBackup without decoding = %v, want %q or a checksum that does not match", err, tt.message)
			}
		})
	}
	whole, err := ReadBackup(strings.NewReader(good))
	must(t, err)
	checked, err := readBackup(strings.NewReader(good), false)
	must(t, err)
	if checked.Info != whole.Info || !whole.Info.AccountKeySealed || whole.Info.Records < 10 {
		t.Fatalf("a backup read back without decoding says %+v, read whole %+v", checked.Info, whole.Info)
	}
}

// TestRestoreRefusesSequencesSetBack: a backup edited to set a sequence
// back, its checksum made again, is refused, so that no new user takes
// another's id and keys; and a store whose sequence is behind its users
// still gives a new user an id of its own.
func TestRestoreRefusesSequencesSetBack(t *testing.T) {
	f, _ := busyFixture(t, diskStorage(t, ""))
	var buf bytes.Buffer
	_, err := f.s.Backup(&buf)
	must(t, err)
	resum := func(text string) string {
		lines := strings.SplitAfter(strings.TrimSuffix(text, "\n"), "\n")
		body := strings.Join(lines[:len(lines)-1], "")
		sum := sha256.Sum256([]byte(body))
		return body + fmt.Sprintf(`{"end":true,"records":%d,"sha256":"%x"}`, len(lines)-2, sum) + "\n"
	}
	if _, err := ReadBackup(strings.NewReader(resum(buf.String()))); err != nil {
		t.Fatalf("the backup with its checksum made again: %v", err)
	}
	for _, seq := range []string{seqUser, seqLog, seqAccount} {
		edited := regexp.MustCompile(`"`+seq+`":\d+`).ReplaceAllString(buf.String(), `"`+seq+`":1`)
		_, err := ReadBackup(strings.NewReader(resum(edited)))
		wantCode(t, err, EInvalid)
		if !strings.Contains(err.Error(), "this one was edited") {
			t.Fatalf("%s set back: %v", seq, err)
		}
	}

	st, s := openThrough(t, diskStorage(t, ""), func(b Backend) Backend { return &rewoundBackend{Backend: b} })
	g := setUpFixture(t, st, s, nil)
	s.b.(*rewoundBackend).rewind = true
	u := g.addUser(t, "New User", "new@example.com", RoleViewer)
	for _, other := range []User{g.owner, g.viewer, g.logsViewer, g.member} {
		if u.ID == other.ID {
			t.Fatalf("the new user has the id %d of %s", u.ID, other.Name)
		}
	}
	if got, err := s.User(g.viewer.ID); err != nil || got.Name != "Vic Viewer" {
		t.Fatalf("user %d is now %+v, %v", g.viewer.ID, got, err)
	}
}

// rewoundBackend's user sequence starts again from 1 once rewind is set,
// as a sequence set back would.
type rewoundBackend struct {
	Backend
	rewind bool
	n      uint64
}

func (b *rewoundBackend) Next(seq string) (uint64, error) {
	if b.rewind && seq == seqUser {
		b.n++
		return b.n, nil
	}
	return b.Backend.Next(seq)
}

// TestBackupLeavesOutExpiredTasks: a task kept past its retention is not
// in a backup, and one still kept goes in with the time it has left.
func TestBackupLeavesOutExpiredTasks(t *testing.T) {
	f := newFixture(t, diskStorage(t, ""))
	old, err := f.s.NewTask("userDeleteRequest", "Delete user 3")
	must(t, err)
	old.Timestamp = old.Timestamp.Add(-TaskRetention - time.Hour) // kept by the backend's TTL until it is swept
	must(t, f.s.SaveTask(old))
	recent, err := f.s.NewTask("userUpdateRequest", "Update user 2")
	must(t, err)
	must(t, f.s.SaveTask(recent))
	var buf bytes.Buffer
	_, err = f.s.Backup(&buf)
	must(t, err)
	b, err := ReadBackup(&buf)
	must(t, err)
	tasks := 0
	for _, l := range b.records {
		if bytes.HasPrefix(l.Key, prefixTask) {
			tasks++
			if l.TTL <= 0 || time.Duration(l.TTL)*time.Second > TaskRetention {
				t.Fatalf("the task goes in with %d s left", l.TTL)
			}
		}
	}
	if tasks != 1 {
		t.Fatalf("the backup holds %d tasks, want the recent one", tasks)
	}
}

// outageBackend fails every commit from the failAt-th on, as a shared
// store that went out of reach (or a disk that filled) midway would.
// openThrough opens a store in a new place of st's backend, through the
// backend wrap returns, and returns the place, for opening it again as it
// is.
func openThrough(t *testing.T, st *storage, wrap func(Backend) Backend) (*storage, *Store) {
	t.Helper()
	fresh := &storage{backend: st.backend, dir: t.TempDir()}
	inner, err := fresh.backend.Open(fresh.dir)
	must(t, err)
	s, err := Open(wrap(inner), Options{SealKeyFile: filepath.Join(fresh.dir, sealFileName)})
	must(t, err)
	return fresh, s
}

type outageBackend struct {
	Backend
	commits, failAt int
}

func (b *outageBackend) Commit(expect Rev, ops []Op) (Rev, error) {
	if b.commits++; b.commits >= b.failAt {
		return 0, &Error{Code: EUnavailable, Err: ErrUnreachable, Message: "The shared store test:1 is unreachable."}
	}
	return b.Backend.Commit(expect, ops)
}

// TestRestoreThatStopsMidway: a restore that fails after some of its
// batches were committed leaves a store with no account, that says so and
// refuses Init, and the same restore run again starts over and restores
// every record as it was.
func TestRestoreThatStopsMidway(t *testing.T) {
	defer func(n int) { restoreBatch = n }(restoreBatch)
	restoreBatch = 5 // the fixture's records take several batches
	forEachBackend(t, func(t *testing.T, st *storage) {
		f, secrets := busyFixture(t, st)
		b := backedUp(t, f.s)
		sealKey, err := os.ReadFile(filepath.Join(st.dir, sealFileName))
		must(t, err)
		if b.Info.Records < 3*restoreBatch {
			t.Fatalf("the fixture has %d records; the test needs more batches", b.Info.Records)
		}

		// The marker, then two batches, then the outage.
		fresh, s2 := openThrough(t, st, func(inner Backend) Backend { return &outageBackend{Backend: inner, failAt: 4} })
		_, err = s2.Restore(b, sealKey)
		wantCode(t, err, EUnavailable)
		if msg := err.Error(); !strings.Contains(msg, "unreachable") || !strings.Contains(msg, "did not finish") || !strings.Contains(msg, "run the same command again") {
			t.Fatalf("the failed restore says %q", msg)
		}
		must(t, s2.Close())

		s3, _ := MustOpen(t, fresh)
		if s3.Initialized() {
			t.Fatal("a store that holds part of a restore has an account")
		}
		if len(rawRecords(t, s3)) == 0 {
			t.Fatal("the test's outage came before anything was restored")
		}
		unfinished := s3.UnfinishedRestore()
		if unfinished == nil || !strings.Contains(unfinished.Error(), "part of a restore of the account Acme") {
			t.Fatalf("UnfinishedRestore = %v", unfinished)
		}
		_, _, err = s3.Init(NewAccount{AccountName: "Other", OwnerName: "Olga", OwnerEmail: "olga@example.com", OwnerPassword: testPassword})
		wantCode(t, err, EConflict)
		if !strings.Contains(err.Error(), "part of a restore") {
			t.Fatalf("Init on an unfinished restore = %v", err)
		}

		readable, err := s3.Restore(b, sealKey)
		must(t, err)
		if !readable || s3.UnfinishedRestore() != nil {
			t.Fatalf("the second restore: readable %v, unfinished %v", readable, s3.UnfinishedRestore())
		}
		if got, want := rawRecords(t, s3), rawRecords(t, f.s); !reflect.DeepEqual(got, want) {
			t.Fatalf("restored records differ:\n%v\nwant\n%v", got, want)
		}
		if _, found, err := s3.b.Get(keyRestoring); err != nil || found {
			t.Fatalf("the restore's marker is left: %v, %v", found, err)
		}
		key, err := s3.AccountKey(CommandLine, ShowAccountKey)
		must(t, err)
		if _, err := s3.Authenticate(key, secrets[0], netip.MustParseAddr("10.0.0.1")); err != nil {
			t.Fatalf("a key does not authenticate after the restore ran again: %v", err)
		}
		// Now it holds data, and is restored into no more.
		_, err = s3.Restore(b, sealKey)
		wantCode(t, err, EConflict)
	})
}

// TestRestoreRefusesAnotherSealKey: a seal key that cannot read the
// backup's account key is refused before anything is written.
func TestRestoreRefusesAnotherSealKey(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f, _ := busyFixture(t, st)
		b := backedUp(t, f.s)
		fresh := &storage{backend: st.backend, dir: t.TempDir()}
		s2, _ := MustOpen(t, fresh)
		_, err := s2.Restore(b, bytes.Repeat([]byte{9}, 32))
		wantCode(t, err, EInvalid)
		if !strings.Contains(err.Error(), "does not match the account key in this backup") {
			t.Fatalf("a wrong seal key = %v", err)
		}
		if n := len(rawRecords(t, s2)); n != 0 || s2.UnfinishedRestore() != nil {
			t.Fatalf("a refused restore wrote %d records", n)
		}
		if _, err := os.Stat(filepath.Join(fresh.dir, sealFileName)); err == nil {
			t.Fatal("a refused seal key was installed")
		}
	})
}

// meddlingBackend commits a record of another process's just before its
// meddleAt-th commit, as a second restore or an init on the same shared
// store would.
type meddlingBackend struct {
	Backend
	commits, meddleAt int
}

func (b *meddlingBackend) Commit(expect Rev, ops []Op) (Rev, error) {
	if b.commits++; b.commits == b.meddleAt {
		if _, err := b.Backend.Commit(AnyRev, []Op{{Key: idKey(prefixUser, 999), Value: []byte(`{"v":1,"id":999,"name":"Other","email":"other@example.com","role":"Viewer"}`)}}); err != nil {
			return 0, err
		}
	}
	return b.Backend.Commit(expect, ops)
}

// TestRestoreStopsWhenAnotherProcessWrites: a restore whose store another
// process writes to meanwhile stops at its next batch, rather than mixing
// with it, and says so; and a store that holds an account beside a
// restore's marker is not cleared.
func TestRestoreStopsWhenAnotherProcessWrites(t *testing.T) {
	defer func(n int) { restoreBatch = n }(restoreBatch)
	restoreBatch = 5
	forEachBackend(t, func(t *testing.T, st *storage) {
		f, _ := busyFixture(t, st)
		b := backedUp(t, f.s)
		fresh, s2 := openThrough(t, st, func(inner Backend) Backend { return &meddlingBackend{Backend: inner, meddleAt: 3} })
		_, err := s2.Restore(b, nil)
		wantCode(t, err, EConflict)
		if !strings.Contains(err.Error(), "Another process wrote to") || !strings.Contains(err.Error(), "make sure nothing else writes to it") {
			t.Fatalf("a restore meddled with says %q", err)
		}
		must(t, s2.Close())

		// An account beside the marker: what an older Keyward's init on
		// an unfinished restore would leave. It is refused, and kept.
		s3, _ := MustOpen(t, fresh)
		if s3.UnfinishedRestore() == nil {
			t.Fatal("the stopped restore left no marker")
		}
		rec, err := json.Marshal(accountRecord{V: recordVersion, ID: 7, Name: "Real"})
		must(t, err)
		_, err = s3.b.Commit(AnyRev, []Op{{Key: keyAccount, Value: rec}})
		must(t, err)
		before := rawRecords(t, s3)
		_, err = s3.Restore(b, nil)
		wantCode(t, err, EConflict)
		if !strings.Contains(err.Error(), "holds an account beside the marker") {
			t.Fatalf("restoring over an account and a marker = %v", err)
		}
		if !reflect.DeepEqual(rawRecords(t, s3), before) {
			t.Fatal("a refused restore changed the store")
		}
	})
}
