package data

import (
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// testClock is a settable clock for stores under test.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock {
	return &testClock{now: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// MustOpen opens a store in dir (a new temporary directory if dir is "")
// with a test clock, and closes it when the test ends.
func MustOpen(tb testing.TB, dir string) (*Store, *testClock) {
	tb.Helper()
	if dir == "" {
		dir = tb.TempDir()
	}
	clock := newTestClock()
	s, err := Open(dir, Options{Now: clock.Now, FlushInterval: time.Hour})
	if err != nil {
		tb.Fatalf("Open(%s): %v", dir, err)
	}
	tb.Cleanup(func() { s.Close() })
	return s, clock
}

const testPassword = "correct horse battery"

// fixture is a store with an account, its Owner, a Viewer, a Logs Viewer
// and a Member, and the API enabled.
type fixture struct {
	s          *Store
	clock      *testClock
	owner      User
	viewer     User
	logsViewer User
	member     User
	accountKey string
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	s, clock := MustOpen(tb, "")
	return setUpFixture(tb, s, clock)
}

func setUpFixture(tb testing.TB, s *Store, clock *testClock) *fixture {
	tb.Helper()
	f := &fixture{s: s, clock: clock}
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
