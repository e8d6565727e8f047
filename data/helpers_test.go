package data

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"keyward/data/clocktest"
)

// sealFileName is where a test's storage keeps its seal key, as a data
// directory does.
const sealFileName = "seal.key"

// storage is where a test's store lives: a backend, and a directory of the
// test's own that holds the seal key and, on Badger, the records.
type storage struct {
	backend TestBackend
	dir     string
}

// forEachBackend runs test once on a new storage of each backend, as a
// subtest named after the backend.
func forEachBackend(t *testing.T, test func(t *testing.T, st *storage)) {
	t.Helper()
	if len(TestBackends) == 0 {
		t.Fatal("no backends to test on (see backends_test.go)")
	}
	for _, b := range TestBackends {
		t.Run(b.Name, func(t *testing.T) { test(t, &storage{backend: b, dir: t.TempDir()}) })
	}
}

// diskStorage returns a storage in dir (a new temporary directory if dir
// is "") on the backend that keeps a data directory: for what only a data
// directory has (files, a lock), and for benchmarks.
func diskStorage(tb testing.TB, dir string) *storage {
	tb.Helper()
	if dir == "" {
		dir = tb.TempDir()
	}
	b, ok := diskBackend()
	if !ok {
		tb.Fatal("no backend keeps a data directory (see backends_test.go)")
	}
	return &storage{backend: b, dir: dir}
}

func diskBackend() (TestBackend, bool) {
	for _, b := range TestBackends {
		if b.Exclusive {
			return b, true
		}
	}
	return TestBackend{}, false
}

// open opens a store on st with opts, its seal key in st's directory.
func (st *storage) open(opts Options) (*Store, error) {
	b, err := st.backend.Open(st.dir)
	if err != nil {
		return nil, err
	}
	if opts.SealKeyFile == "" {
		opts.SealKeyFile = filepath.Join(st.dir, sealFileName)
	}
	return Open(b, opts)
}

// MustOpen opens a store on st with a test clock, and closes it when the
// test ends.
func MustOpen(tb testing.TB, st *storage) (*Store, *clocktest.Clock) {
	tb.Helper()
	clock := clocktest.New()
	s, err := st.open(Options{Now: clock.Now, FlushInterval: time.Hour})
	if err != nil {
		tb.Fatalf("opening a %s store in %s: %v", st.backend.Name, st.dir, err)
	}
	tb.Cleanup(func() { s.Close() })
	return s, clock
}

const testPassword = "correct horse battery"

// fixture is a store with an account, its Owner, a Viewer, a Logs Viewer
// and a Member, and the API enabled.
type fixture struct {
	st         *storage
	s          *Store
	clock      *clocktest.Clock
	owner      User
	viewer     User
	logsViewer User
	member     User
	accountKey string
}

func newFixture(tb testing.TB, st *storage) *fixture {
	tb.Helper()
	s, clock := MustOpen(tb, st)
	return setUpFixture(tb, st, s, clock)
}

func setUpFixture(tb testing.TB, st *storage, s *Store, clock *clocktest.Clock) *fixture {
	tb.Helper()
	f := &fixture{st: st, s: s, clock: clock}
	var err error
	_, f.owner, err = s.Init(NewAccount{AccountName: "Acme", OwnerName: "Ada Owner", OwnerEmail: "ada@example.com", OwnerPassword: testPassword})
	must(tb, err)
	f.viewer = f.addUser(tb, "Vic Viewer", "vic@example.com", RoleViewer)
	f.logsViewer = f.addUser(tb, "Lou Logs", "lou@example.com", RoleLogsViewer)
	f.member = f.addUser(tb, "Max Member", "max@example.com", RoleMember)
	_, err = s.SetAPIEnabled(CommandLine, true)
	must(tb, err)
	f.accountKey, err = s.AccountKey(CommandLine, ShowAccountKey)
	must(tb, err)
	return f
}

func (f *fixture) addUser(tb testing.TB, name, email string, role Role) User {
	tb.Helper()
	u, err := f.s.AddUser(CommandLine, NewUser{Name: name, Email: email, Role: role})
	must(tb, err)
	return u
}

func (f *fixture) createKey(tb testing.TB, name string, user User) (UserKey, string) {
	tb.Helper()
	k, secret, err := f.s.CreateUserKey(CommandLine, name, user.ID)
	must(tb, err)
	return k, secret
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// wantCode fails unless err has the given code.
func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := ErrorCode(err); got != code {
		tb.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

var loopback = netip.MustParseAddr("127.0.0.1")

// snapshot is everything a person could see of a store; bad input must
// leave it as it was.
type snapshot struct {
	Account Account
	Users   []User
	Keys    []UserKey
	Log     []SystemLogEntry
}

func takeSnapshot(tb testing.TB, s *Store) snapshot {
	tb.Helper()
	a, _ := s.Account()
	log, err := s.SystemLog(LogQuery{Limit: 100000})
	must(tb, err)
	return snapshot{Account: a, Users: s.Users(), Keys: s.UserKeys(), Log: log}
}

func removeFile(dir, name string) error { return os.Remove(filepath.Join(dir, name)) }
