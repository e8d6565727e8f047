package redis

import (
	"errors"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"keyward/data"
	"keyward/data/redis/redistest"
)

func TestOpenStoreNeedsTheSealKeyFile(t *testing.T) {
	_, err := OpenStore("redis://127.0.0.1:1", data.Options{})
	want := "A shared store needs the seal key's file: pass --seal-key-file FILE or set KEYWARD_SEAL_KEY_FILE, the same file on every machine."
	if data.ErrorCode(err) != data.EInvalid || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("OpenStore without a seal key file = %v, want %q", err, want)
	}
}

// openStore opens a Store on url, as another process would, with the
// seal key in dir.
func openStore(t *testing.T, url, dir string) *data.Store {
	t.Helper()
	s, err := OpenStore(url, data.Options{SealKeyFile: filepath.Join(dir, "seal.key"), FlushInterval: time.Hour, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestStoresShareAnAccount: two Stores on one account, as two machines'
// processes: each follows the other's changes, and when both break a rule
// at once one of them is told why.
func TestStoresShareAnAccount(t *testing.T) {
	url, dir := redistest.Shared(t).URL(redistest.Account()), t.TempDir()
	one := openStore(t, url, dir)
	_, ada, err := one.Init(data.NewAccount{AccountName: "Acme", OwnerName: "Ada Owner", OwnerEmail: "ada@example.com", OwnerPassword: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := one.SetAPIEnabled(data.CommandLine, true); err != nil {
		t.Fatal(err)
	}
	accountKey, err := one.AccountKey(data.CommandLine, data.ShowAccountKey)
	if err != nil {
		t.Fatal(err)
	}
	two := openStore(t, url, dir)
	if two.Location() != one.Location() || !strings.Contains(two.Location(), "(account test-") {
		t.Errorf("Location = %q and %q", one.Location(), two.Location())
	}

	client := netip.MustParseAddr("127.0.0.1")
	k, secret, err := one.CreateUserKey(data.CommandLine, "shared-key-01", ada.ID)
	if err != nil {
		t.Fatal(err)
	}
	took := until(t, "the other store accepts the new key", func() bool {
		_, err := two.Authenticate(accountKey, secret, client)
		return err == nil
	})
	t.Logf("a new key reached the other store in %v", took)
	if err := one.DeleteUserKey(data.CommandLine, k.ID); err != nil {
		t.Fatal(err)
	}
	took = until(t, "the other store refuses the deleted key", func() bool {
		_, err := two.Authenticate(accountKey, secret, client)
		return errors.Is(err, data.ErrUnknownUserKey)
	})
	t.Logf("a deleted key was refused by the other store after %v", took)

	// Both create the same key name at once: one is told the name is taken.
	for round := range 10 {
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, s := range []*data.Store{one, two} {
			wg.Go(func() {
				_, _, errs[i] = s.CreateUserKey(data.CommandLine, "raced-name-"+string(rune('a'+round)), ada.ID)
			})
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) || data.ErrorCode(errors.Join(errs...)) != data.EConflict {
			t.Fatalf("round %d: both creating one key name: %v, %v", round, errs[0], errs[1])
		}
	}

	// Both delete the other Owner at once: the last Owner stays.
	bob, err := two.AddUser(data.CommandLine, data.NewUser{Name: "Bob Owner", Email: "bob@example.com", Role: data.RoleOwner})
	if err != nil {
		t.Fatal(err)
	}
	until(t, "the first store knows Bob", func() bool {
		_, err := one.User(bob.ID)
		return err == nil
	})
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, id := range []int64{bob.ID, ada.ID} {
		s := []*data.Store{one, two}[i]
		wg.Go(func() { _, errs[i] = s.DeleteUser(data.CommandLine, id) })
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) || !errors.Is(errors.Join(errs...), data.ErrLastOwner) {
		t.Fatalf("deleting both Owners at once: %v, %v", errs[0], errs[1])
	}
}

// until waits up to five seconds for cond and returns how long it took.
func until(t *testing.T, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > unreachableWithin {
			t.Fatalf("after %v, still not: %s", unreachableWithin, what)
		}
		time.Sleep(time.Millisecond)
	}
	return time.Since(start)
}

func TestPersistence(t *testing.T) {
	b := mustOpen(t, redistest.Shared(t).URL(redistest.Account()))
	p, err := b.Persistence()
	if err != nil {
		t.Fatal(err)
	}
	// The test servers run with the append-only file and no snapshots.
	if !p.AppendOnly || p.AppendFsync != "everysec" || !p.SaveKnown || p.Save != "" || p.None() {
		t.Fatalf("Persistence = %+v", p)
	}
	if got, want := p.String(), `appendonly yes (appendfsync everysec), save ""`; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if none := (Persistence{SaveKnown: true}); !none.None() || none.String() != `appendonly no, save ""` {
		t.Errorf("no persistence: None = %v, String = %q", none.None(), none)
	}
}
