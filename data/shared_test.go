package data_test

import (
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"keyward/data"
	"keyward/data/backendtest"
	"keyward/data/clocktest"
)

// Several processes on one shared backend (as on Redis): each Store keeps
// its own index and follows the others' commits, and every rule holds
// against the state a change lands on, whichever process made it.

const sharedPassword = "correct horse battery"

// openShared opens a Store on m, with its seal key in dir (every machine
// is given the same seal key file).
func openShared(t *testing.T, m *backendtest.Memory, dir string) *data.Store {
	t.Helper()
	b, err := m.Open()
	if err != nil {
		t.Fatal(err)
	}
	s, err := data.Open(b, data.Options{SealKeyFile: filepath.Join(dir, "seal.key"), FlushInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// eventually waits, up to 5 s, for cond to hold.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after 5 s, still not: %s", what)
		}
	}
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var client = netip.MustParseAddr("127.0.0.1")

func TestSharedStoresFollowEachOther(t *testing.T) {
	m, dir := backendtest.NewMemory(), t.TempDir()
	one := openShared(t, m, dir)
	_, owner, err := one.Init(data.NewAccount{AccountName: "Acme", OwnerName: "Ada Owner", OwnerEmail: "ada@example.com", OwnerPassword: sharedPassword})
	mustDo(t, err)
	_, err = one.SetAPIEnabled(data.CommandLine, true)
	mustDo(t, err)
	accountKey, err := one.AccountKey(data.CommandLine, data.ShowAccountKey)
	mustDo(t, err)
	k, secret, err := one.CreateUserKey(data.CommandLine, "shared-key-01", owner.ID)
	mustDo(t, err)

	// A second process opens what the first wrote, account key included.
	two := openShared(t, m, dir)
	if _, err := two.Authenticate(accountKey, secret, client); err != nil {
		t.Fatalf("the second store does not authenticate the first one's key: %v", err)
	}
	heard := make(chan data.ChangeKind, 100)
	defer two.Subscribe(func(c data.Change) { heard <- c.Kind })()

	// A key deleted in one process is refused by the other.
	mustDo(t, one.DeleteUserKey(data.CommandLine, k.ID))
	eventually(t, "the deleted key is refused by the other store", func() bool {
		_, err := two.Authenticate(accountKey, secret, client)
		return err == data.ErrUnknownUserKey
	})
	select {
	case kind := <-heard:
		if kind != data.ChangeKeys {
			t.Fatalf("the other store's subscribers first heard of %v, want ChangeKeys", kind)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the other store's subscribers heard nothing")
	}

	// Changes flow the other way too, and the rules see them: the name is
	// taken in both stores once either has it.
	_, _, err = two.CreateUserKey(data.CommandLine, "made-by-two-01", owner.ID)
	mustDo(t, err)
	eventually(t, "the first store lists the second one's key", func() bool {
		_, err := one.UserKeyByName("made-by-two-01")
		return err == nil
	})
	if _, _, err := one.CreateUserKey(data.CommandLine, "MADE-BY-TWO-01", owner.ID); data.ErrorCode(err) != data.EConflict {
		t.Fatalf("a name the other store took = %v, want a conflict", err)
	}
}

// TestSharedStoresRaceForTheSameRule makes two processes break a rule
// together: each change is valid against its own index, but only one may
// land. The loser's change runs again on the winner's state and is
// refused with the rule's own message.
func TestSharedStoresRaceForTheSameRule(t *testing.T) {
	m, dir := backendtest.NewMemory(), t.TempDir()
	one := openShared(t, m, dir)
	_, ada, err := one.Init(data.NewAccount{AccountName: "Acme", OwnerName: "Ada Owner", OwnerEmail: "ada@example.com", OwnerPassword: sharedPassword})
	mustDo(t, err)
	bob, err := one.AddUser(data.CommandLine, data.NewUser{Name: "Bob Owner", Email: "bob@example.com", Role: data.RoleOwner})
	mustDo(t, err)
	two := openShared(t, m, dir)

	for round := range 20 {
		email := fmt.Sprintf("race-%d@example.com", round)
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, s := range []*data.Store{one, two} {
			wg.Go(func() {
				_, errs[i] = s.AddUser(data.CommandLine, data.NewUser{Name: fmt.Sprintf("Racer %d", i), Email: email, Role: data.RoleViewer})
			})
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("round %d: both or neither added %s: %v, %v", round, email, errs[0], errs[1])
		}
		lost := errors.Join(errs...)
		if data.ErrorCode(lost) != data.EConflict || !strings.Contains(lost.Error(), "already uses the email "+email) {
			t.Fatalf("round %d: the loser was told %v", round, lost)
		}
	}

	// The last-owner rule across processes: each removes a different
	// Owner; one of them must be refused.
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, id := range []int64{ada.ID, bob.ID} {
		s := []*data.Store{one, two}[i]
		wg.Go(func() { _, errs[i] = s.DeleteUser(data.CommandLine, id) })
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) || !errors.Is(errors.Join(errs...), data.ErrLastOwner) {
		t.Fatalf("deleting both Owners at once: %v, %v", errs[0], errs[1])
	}
	for _, s := range []*data.Store{one, two} {
		eventually(t, "both stores agree on one Owner left", func() bool {
			owners := 0
			for _, u := range s.Users() {
				if u.Role == data.RoleOwner {
					owners++
				}
			}
			return owners == 1 && len(s.Users()) == 21
		})
	}
}

// TestManyWritersOnOneStore has four processes add users as fast as they
// can: changes that lose a race run again until they land, none is lost,
// and log ids never repeat.
func TestManyWritersOnOneStore(t *testing.T) {
	m, dir := backendtest.NewMemory(), t.TempDir()
	first := openShared(t, m, dir)
	_, _, err := first.Init(data.NewAccount{AccountName: "Acme", OwnerName: "Ada Owner", OwnerEmail: "ada@example.com", OwnerPassword: sharedPassword})
	mustDo(t, err)
	stores := []*data.Store{first, openShared(t, m, dir), openShared(t, m, dir), openShared(t, m, dir)}
	const each = 25
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Go(func() {
			for j := range each {
				if _, err := s.AddUser(data.CommandLine, data.NewUser{Name: "Writer", Email: fmt.Sprintf("w%d-%d@example.com", i, j), Role: data.RoleViewer}); err != nil {
					t.Errorf("store %d, user %d: %v", i, j, err)
					return
				}
			}
		})
	}
	wg.Wait()
	want := 1 + len(stores)*each
	for i, s := range stores {
		eventually(t, fmt.Sprintf("store %d has every user", i), func() bool { return len(s.Users()) == want })
	}
	log, err := first.SystemLog(data.LogQuery{Limit: 1000})
	mustDo(t, err)
	seen := map[int64]bool{}
	for _, e := range log {
		if seen[e.ID] {
			t.Fatalf("log id %d appears twice", e.ID)
		}
		seen[e.ID] = true
	}
	if len(log) != want+1 { // and the account's creation
		t.Fatalf("the log has %d entries, want %d", len(log), want+1)
	}
}

// TestStoreReloadsWhenItLosesTrack keeps a store busy while the backend,
// whose history is one commit long, moves on: the feed can no longer say
// what was missed, and the store reads everything again.
func TestStoreReloadsWhenItLosesTrack(t *testing.T) {
	m, dir := backendtest.NewMemoryWithHistory(1), t.TempDir()
	one := openShared(t, m, dir)
	_, owner, err := one.Init(data.NewAccount{AccountName: "Acme", OwnerName: "Ada Owner", OwnerEmail: "ada@example.com", OwnerPassword: sharedPassword})
	mustDo(t, err)
	two := openShared(t, m, dir)
	// The second store's first notification blocks its feed, as a slow
	// machine would, until the first store has made 30 more changes.
	release := make(chan struct{})
	heard := make(chan data.ChangeKind, 100)
	var once sync.Once
	defer two.Subscribe(func(c data.Change) {
		once.Do(func() { <-release })
		heard <- c.Kind
	})()
	for i := range 30 {
		_, _, err := one.CreateUserKey(data.CommandLine, fmt.Sprintf("reload-key-%02d", i), owner.ID)
		mustDo(t, err)
	}
	close(release)
	eventually(t, "the second store has every key", func() bool { return len(two.UserKeys()) == 30 })
	// Creating keys never changes the account: hearing of it means the
	// store reloaded.
	for reloaded := false; !reloaded; {
		select {
		case kind := <-heard:
			reloaded = kind == data.ChangeAccount
		case <-time.After(5 * time.Second):
			t.Fatal("the second store did not reload")
		}
	}
}

// stall blocks the feed of s, as a slow machine would: the next batch
// another store commits reaches its index, and from then on nothing does
// until release is called. It returns once the feed is blocked.
func stall(t *testing.T, s *data.Store, other *data.Store) (release func()) {
	t.Helper()
	gate, blocked := make(chan struct{}), make(chan struct{})
	var once sync.Once
	cancel := s.Subscribe(func(c data.Change) {
		if c.Kind == data.ChangeAccount {
			once.Do(func() { close(blocked); <-gate })
		}
	})
	var released sync.Once
	release = func() { released.Do(func() { close(gate) }) }
	t.Cleanup(func() { release(); cancel() })
	// A change of the account that nothing else in these tests makes.
	_, err := other.SetSettings(data.CommandLine, data.Settings{APIAddr: "127.0.0.1:9999", RateLimit: 1})
	mustDo(t, err)
	select {
	case <-blocked:
	case <-time.After(5 * time.Second):
		t.Fatal("the feed did not stall")
	}
	return release
}

// TestLastUsedMergesToTheLatest has two servers use one key, the one that
// used it last writing first and the other, which has not seen that write
// yet, trying to write its older time after it: storage keeps the latest,
// and no record comes back for a key another server deleted.
func TestLastUsedMergesToTheLatest(t *testing.T) {
	m, dir := backendtest.NewMemory(), t.TempDir()
	oneClock, twoClock := clocktest.New(), clocktest.New()
	open := func(clock *clocktest.Clock) *data.Store {
		b, err := m.Open()
		mustDo(t, err)
		s, err := data.Open(b, data.Options{SealKeyFile: filepath.Join(dir, "seal.key"), FlushInterval: time.Hour, Now: clock.Now})
		mustDo(t, err)
		t.Cleanup(func() { s.Close() })
		return s
	}
	one := open(oneClock)
	_, owner, err := one.Init(data.NewAccount{AccountName: "Acme", OwnerName: "Ada Owner", OwnerEmail: "ada@example.com", OwnerPassword: sharedPassword})
	mustDo(t, err)
	_, err = one.SetAPIEnabled(data.CommandLine, true)
	mustDo(t, err)
	accountKey, err := one.AccountKey(data.CommandLine, data.ShowAccountKey)
	mustDo(t, err)
	k, secret, err := one.CreateUserKey(data.CommandLine, "merged-key-01", owner.ID)
	mustDo(t, err)
	gone, goneSecret, err := one.CreateUserKey(data.CommandLine, "deleted-key-1", owner.ID)
	mustDo(t, err)
	two := open(twoClock)

	// two uses both keys first, one uses the first key a minute later.
	_, err = two.Authenticate(accountKey, secret, netip.MustParseAddr("127.0.0.2"))
	mustDo(t, err)
	_, err = two.Authenticate(accountKey, goneSecret, client)
	mustDo(t, err)
	oneClock.Advance(time.Minute)
	_, err = one.Authenticate(accountKey, secret, client)
	mustDo(t, err)
	latest := oneClock.Now()

	// two's feed stalls; one writes its time and deletes the second key;
	// two, which has seen neither, flushes its older times.
	release := stall(t, two, one)
	mustDo(t, one.FlushLastUsed())
	mustDo(t, one.DeleteUserKey(data.CommandLine, gone.ID))
	mustDo(t, two.FlushLastUsed())
	release()
	eventually(t, "two hears of the deletion", func() bool {
		_, err := two.UserKey(gone.ID)
		return err != nil
	})
	mustDo(t, two.FlushLastUsed())
	mustDo(t, one.Close())
	mustDo(t, two.Close())

	three := open(clocktest.New())
	got, err := three.UserKey(k.ID)
	mustDo(t, err)
	if !got.LastUsedAt.Equal(latest) || got.LastUsedFrom != client {
		t.Fatalf("last used = %v from %v, want the latest, %v from %v", got.LastUsedAt, got.LastUsedFrom, latest, client)
	}
	b, err := m.Open()
	mustDo(t, err)
	defer b.Close()
	records := 0
	mustDo(t, b.Scan([]byte("lu/"), false, func(key, _ []byte) (bool, error) {
		records++
		return true, nil
	}))
	if records != 1 {
		t.Fatalf("storage holds %d last-used records, want 1: the deleted key's came back", records)
	}
}
