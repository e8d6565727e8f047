package data

import (
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"keyward/data/clocktest"
)

func TestInit(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		s, _ := MustOpen(t, st)
		if s.Initialized() {
			t.Fatal("a new store says it is initialized")
		}
		if _, err := s.Account(); ErrorCode(err) != ENotFound || !strings.Contains(err.Error(), "keyward init") {
			t.Fatalf("Account() on a new store = %v", err)
		}
		bad := []struct {
			req     NewAccount
			message string
		}{
			{NewAccount{"", "Ada", "ada@example.com", testPassword}, "Enter an account name"},
			{NewAccount{"Acme", " Ada", "ada@example.com", testPassword}, "cannot start or end with a space"},
			{NewAccount{"Acme", "Ada", "not-an-email", testPassword}, "is not an email address"},
			{NewAccount{"Acme", "Ada", "Ada <ada@example.com>", testPassword}, "without a display name"},
			{NewAccount{"Acme", "Ada", "ada@example.com", "short"}, "at least 12 characters"},
			{NewAccount{"Acme\n", "Ada", "ada@example.com", testPassword}, "control characters"},
		}
		for _, b := range bad {
			_, _, err := s.Init(b.req)
			wantCode(t, err, EInvalid)
			if !strings.Contains(err.Error(), b.message) {
				t.Errorf("Init(%+v) = %v, want %q", b.req, err, b.message)
			}
			if s.Initialized() {
				t.Fatal("a refused Init created the account")
			}
		}
		acct, owner, err := s.Init(NewAccount{"Acme", "Ada Owner", "Ada@Example.com", testPassword})
		must(t, err)
		if acct.ID <= 0 || acct.Name != "Acme" || acct.APIEnabled || owner.Role != RoleOwner || !owner.HasPassword || owner.ID <= 0 {
			t.Fatalf("Init = %+v, %+v", acct, owner)
		}
		if _, _, err := s.Init(NewAccount{"Other", "Bob", "bob@example.com", testPassword}); ErrorCode(err) != EConflict {
			t.Fatalf("a second Init = %v, want a conflict", err)
		}
		log, err := s.SystemLog(LogQuery{})
		must(t, err)
		if len(log) != 2 || log[0].Type != EventUserAdded || log[1].Type != EventAccountCreated || log[0].ID <= log[1].ID {
			t.Fatalf("log after Init = %+v", log)
		}
		if log[0].Originator != "Ada Owner" || log[0].Time.Location() != time.UTC {
			t.Fatalf("log entry = %+v", log[0])
		}
	})
}

func TestAddUserRules(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		before := takeSnapshot(t, f.s)
		tests := []struct {
			req  NewUser
			code string
			msg  string
		}{
			{NewUser{"Eve", "VIC@example.com", RoleViewer, ""}, EConflict, "Vic Viewer already uses the email vic@example.com"},
			{NewUser{"Eve", "eve@example", RoleViewer, "short"}, EInvalid, "at least 12"},
			{NewUser{"Eve", "eve", RoleViewer, ""}, EInvalid, "not an email address"},
			{NewUser{"", "eve@example.com", RoleViewer, ""}, EInvalid, "Enter a name"},
			{NewUser{strings.Repeat("e", 101), "eve@example.com", RoleViewer, ""}, EInvalid, "at most 100"},
			{NewUser{"Eve", "eve@example.com", "Admin", ""}, EInvalid, "Unknown role"},
		}
		for _, tt := range tests {
			_, err := f.s.AddUser(CommandLine, tt.req)
			wantCode(t, err, tt.code)
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("AddUser(%+v) = %v, want %q", tt.req, err, tt.msg)
			}
		}
		// Only Owners change the account.
		_, err := f.s.AddUser(ActorFor(f.viewer), NewUser{"Eve", "eve@example.com", RoleViewer, ""})
		wantCode(t, err, EForbidden)
		if after := takeSnapshot(t, f.s); !reflect.DeepEqual(before, after) {
			t.Fatalf("refused changes changed the store:\n%+v\n%+v", before, after)
		}
		u, err := f.s.AddUser(ActorFor(f.owner), NewUser{"Eve", "eve@example.com", RoleBillingAdmin, testPassword})
		must(t, err)
		if !u.HasPassword || u.Role != RoleBillingAdmin {
			t.Fatalf("AddUser = %+v", u)
		}
		if got, err := f.s.UserByEmail("EVE@EXAMPLE.COM"); err != nil || got.ID != u.ID {
			t.Fatalf("UserByEmail is not case-insensitive: %+v, %v", got, err)
		}
	})
}

func TestLastOwner(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		before := takeSnapshot(t, f.s)
		viewer := RoleViewer
		_, err := f.s.UpdateUser(CommandLine, f.owner.ID, UserChange{Role: &viewer})
		wantCode(t, err, EConflict)
		if !strings.Contains(err.Error(), "last Owner") {
			t.Fatalf("demoting the last Owner: %v", err)
		}
		_, err = f.s.DeleteUser(CommandLine, f.owner.ID)
		wantCode(t, err, EConflict)
		if !strings.Contains(err.Error(), "last Owner") {
			t.Fatalf("deleting the last Owner: %v", err)
		}
		if after := takeSnapshot(t, f.s); !reflect.DeepEqual(before, after) {
			t.Fatal("refused changes changed the store")
		}
		// With a second Owner who can sign in, the first can go, but not
		// by their own hand.
		owner, pw := RoleOwner, "a console password for vic"
		second, err := f.s.UpdateUser(CommandLine, f.viewer.ID, UserChange{Role: &owner, Password: &pw})
		must(t, err)
		_, err = f.s.DeleteUser(ActorFor(f.owner), f.owner.ID)
		wantCode(t, err, EConflict)
		n, err := f.s.DeleteUser(ActorFor(second), f.owner.ID)
		must(t, err)
		if n != 0 {
			t.Fatalf("DeleteUser reported %d keys", n)
		}
		_, err = f.s.UpdateUser(CommandLine, second.ID, UserChange{Role: &viewer})
		wantCode(t, err, EConflict)
	})
}

// TestLastOwnerWhoCanSignIn: the only Owner with a console password is
// neither deleted nor given another role while the other Owners have
// none, by anyone: the console would be locked for good. Once another
// Owner has a password, both are allowed.
func TestLastOwnerWhoCanSignIn(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		owner, viewer := RoleOwner, RoleViewer
		second, err := f.s.UpdateUser(CommandLine, f.viewer.ID, UserChange{Role: &owner})
		must(t, err)
		if second.HasPassword {
			t.Fatal("the fixture's Viewer has a console password")
		}
		before := takeSnapshot(t, f.s)
		for _, actor := range []Actor{CommandLine, ActorFor(second)} {
			_, err = f.s.DeleteUser(actor, f.owner.ID)
			wantCode(t, err, EConflict)
			if !errors.Is(err, ErrLastOwner) || !strings.Contains(err.Error(), "Ada Owner is the only Owner who can sign in to the console and cannot be deleted: give another Owner a console password first (in the console: Team, Edit, Console password).") {
				t.Fatalf("deleting the only Owner who can sign in = %v", err)
			}
			_, err = f.s.UpdateUser(actor, f.owner.ID, UserChange{Role: &viewer})
			wantCode(t, err, EConflict)
			if !strings.Contains(err.Error(), "cannot be given another role: give another Owner a console password first") {
				t.Fatalf("demoting the only Owner who can sign in = %v", err)
			}
		}
		if after := takeSnapshot(t, f.s); !reflect.DeepEqual(before, after) {
			t.Fatal("refused changes changed the store")
		}
		// An Owner without a password goes as before.
		_, err = f.s.UpdateUser(CommandLine, second.ID, UserChange{Role: &viewer})
		must(t, err)
		second, err = f.s.UpdateUser(CommandLine, second.ID, UserChange{Role: &owner})
		must(t, err)
		pw := "a console password for vic"
		_, err = f.s.UpdateUser(ActorFor(f.owner), second.ID, UserChange{Password: &pw})
		must(t, err)
		_, err = f.s.UpdateUser(ActorFor(second), f.owner.ID, UserChange{Role: &viewer})
		must(t, err)
	})
}

func TestUpdateUser(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		name, pw, role := "Victoria Viewer", "a new password for vic", RoleOwner
		u, err := f.s.UpdateUser(CommandLine, f.viewer.ID, UserChange{Name: &name, Password: &pw, Role: &role})
		must(t, err)
		if u.Name != name || u.Role != RoleOwner || !u.HasPassword {
			t.Fatalf("UpdateUser = %+v", u)
		}
		log, err := f.s.SystemLog(LogQuery{Limit: 1})
		must(t, err)
		want := "Vic Viewer (vic@example.com)'s name was changed to Victoria Viewer; role was changed from Viewer to Owner; console password was changed"
		if log[0].Description != want || log[0].ResourceID != f.viewer.ID || log[0].Type != EventUserChanged {
			t.Fatalf("log = %+v", log[0])
		}
		if strings.Contains(log[0].Description, pw) {
			t.Fatal("the password is in the log")
		}
		// No change, no log entry.
		_, err = f.s.UpdateUser(CommandLine, f.viewer.ID, UserChange{Name: &name})
		must(t, err)
		if again, _ := f.s.SystemLog(LogQuery{Limit: 1}); again[0].ID != log[0].ID {
			t.Fatal("an empty change was logged")
		}
		_, err = f.s.UpdateUser(CommandLine, 9999, UserChange{Name: &name})
		wantCode(t, err, ENotFound)
		short := "short"
		_, err = f.s.UpdateUser(CommandLine, f.viewer.ID, UserChange{Password: &short})
		wantCode(t, err, EInvalid)
	})
}

func TestCreateUserKeyRules(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		f.createKey(t, "Existing-Key-01", f.owner)
		before := takeSnapshot(t, f.s)
		tests := []struct {
			name   string
			user   int64
			actor  Actor
			code   string
			detail string
		}{
			{"short", f.owner.ID, CommandLine, EInvalid, "at least 10 characters"},
			{strings.Repeat("k", 51), f.owner.ID, CommandLine, EInvalid, "at most 50 characters"},
			{"has spaces in it", f.owner.ID, CommandLine, EInvalid, "cannot contain spaces"},
			{"ключ-для-апи", f.owner.ID, CommandLine, EInvalid, "only ASCII letters"},
			{"existing-key-01", f.owner.ID, CommandLine, EConflict, "already exists"},
			{"EXISTING-KEY-01", f.viewer.ID, CommandLine, EConflict, "already exists"},
			{"member-key-01", f.member.ID, CommandLine, EInvalid, "Max Member is a Member: only Owner, Viewer and Logs Viewer users can own API user keys"},
			{"nobodys-key-01", 4242, CommandLine, ENotFound, "no user with id 4242"},
			{"viewer-made-key", f.viewer.ID, ActorFor(f.viewer), EForbidden, "Only an Owner"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, secret, err := f.s.CreateUserKey(tt.actor, tt.name, tt.user)
				wantCode(t, err, tt.code)
				if secret != "" || !strings.Contains(err.Error(), tt.detail) {
					t.Fatalf("CreateUserKey(%q) = %q, %v; want %q", tt.name, secret, err, tt.detail)
				}
			})
		}
		if after := takeSnapshot(t, f.s); !reflect.DeepEqual(before, after) {
			t.Fatal("refused keys changed the store")
		}
		for _, u := range []User{f.owner, f.viewer, f.logsViewer} {
			k, secret := f.createKey(t, fmt.Sprintf("key-of-user-%d", u.ID), u)
			if k.Status != KeyActive || k.UserName != u.Name || k.Hint != KeyHint(secret) || CheckUserKeyFormat(secret) != nil {
				t.Fatalf("CreateUserKey = %+v", k)
			}
		}
	})
}

func TestDeleteUserDeletesTheirKeys(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		k1, s1 := f.createKey(t, "viewer-key-one", f.viewer)
		_, s2 := f.createKey(t, "viewer-key-two", f.viewer)
		kept, s3 := f.createKey(t, "owner-key-kept", f.owner)
		_, err := f.s.AddCIDRRule(CommandLine, k1.ID, "127.0.0.0/8")
		must(t, err)
		if u, _ := f.s.User(f.viewer.ID); u.KeyCount != 2 {
			t.Fatalf("KeyCount = %d", u.KeyCount)
		}
		n, err := f.s.DeleteUser(CommandLine, f.viewer.ID)
		must(t, err)
		if n != 2 {
			t.Fatalf("DeleteUser deleted %d keys, want 2", n)
		}
		for _, secret := range []string{s1, s2} {
			if _, err := f.s.Authenticate(f.accountKey, secret, loopback); err != ErrUnknownUserKey {
				t.Fatalf("a deleted user's key authenticates: %v", err)
			}
		}
		if _, err := f.s.Authenticate(f.accountKey, s3, loopback); err != nil {
			t.Fatalf("another user's key stopped working: %v", err)
		}
		keys := f.s.UserKeys()
		if len(keys) != 1 || keys[0].ID != kept.ID {
			t.Fatalf("keys left = %+v", keys)
		}
		log, err := f.s.SystemLog(LogQuery{Limit: 3})
		must(t, err)
		if log[0].Description != "Removed Vic Viewer (vic@example.com) from the team with 2 API user keys" ||
			log[1].Type != EventKeyDeleted || log[2].Type != EventKeyDeleted {
			t.Fatalf("log = %+v", log)
		}
		// Everything is gone from disk too.
		s := reopen(t, f)
		if len(s.UserKeys()) != 1 || len(s.Users()) != 3 {
			t.Fatalf("after reopening: %d keys, %d users", len(s.UserKeys()), len(s.Users()))
		}
	})
}

// reopen closes the fixture's store and opens its storage again.
func reopen(t *testing.T, f *fixture) *Store {
	t.Helper()
	must(t, f.s.Close())
	s, clock := MustOpen(t, f.st)
	f.s, f.clock = s, clock
	return s
}

func TestDemotedUsersKeysStopAuthenticating(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		k, secret := f.createKey(t, "viewer-key-01", f.viewer)
		if _, err := f.s.Authenticate(f.accountKey, secret, loopback); err != nil {
			t.Fatal(err)
		}
		member := RoleMember
		_, err := f.s.UpdateUser(CommandLine, f.viewer.ID, UserChange{Role: &member})
		must(t, err)
		if _, err := f.s.Authenticate(f.accountKey, secret, loopback); err != ErrInactiveUserKey {
			t.Fatalf("a Member's key authenticates: %v", err)
		}
		if got, _ := f.s.UserKey(k.ID); got.Status != KeyInactive {
			t.Fatal("the key is not marked inactive")
		}
		log, _ := f.s.SystemLog(LogQuery{Limit: 1})
		if !strings.Contains(log[0].Description, "(1 API user key is now inactive)") {
			t.Fatalf("log = %q", log[0].Description)
		}
		viewer := RoleViewer
		_, err = f.s.UpdateUser(CommandLine, f.viewer.ID, UserChange{Role: &viewer})
		must(t, err)
		if _, err := f.s.Authenticate(f.accountKey, secret, loopback); err != nil {
			t.Fatalf("the key does not work again after the role is restored: %v", err)
		}
	})
}

func TestCIDRRules(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		k, secret := f.createKey(t, "restricted-key", f.owner)
		client := netip.MustParseAddr("203.0.113.9")
		other := netip.MustParseAddr("198.51.100.7")

		rule, err := f.s.AddCIDRRule(CommandLine, k.ID, "203.0.113.0/24")
		must(t, err)
		if _, err := f.s.Authenticate(f.accountKey, secret, client); err != nil {
			t.Fatalf("allowed address refused: %v", err)
		}
		if _, err := f.s.Authenticate(f.accountKey, secret, other); err != ErrSourceNotAllowed {
			t.Fatalf("disallowed address = %v", err)
		}
		if _, err := f.s.Authenticate(f.accountKey, secret, netip.MustParseAddr("::ffff:203.0.113.9")); err != nil {
			t.Fatalf("IPv4-mapped client refused: %v", err)
		}

		before := takeSnapshot(t, f.s)
		for in, code := range map[string]string{
			"203.0.113.0/24": EConflict,
			"203.0.113.1/24": EInvalid,
			"not-an-address": EInvalid,
			"":               EInvalid,
		} {
			_, err := f.s.AddCIDRRule(CommandLine, k.ID, in)
			wantCode(t, err, code)
		}
		_, err = f.s.AddCIDRRule(ActorFor(f.viewer), k.ID, "10.0.0.0/8")
		wantCode(t, err, EForbidden)
		_, err = f.s.AddCIDRRule(CommandLine, uuid.New(), "10.0.0.0/8")
		wantCode(t, err, ENotFound)
		_, err = f.s.EditCIDRRule(CommandLine, k.ID, rule.ID, "10.0.0.1/8")
		if err == nil || !strings.Contains(err.Error(), "did you mean 10.0.0.0/8?") {
			t.Fatalf("edit with host bits = %v", err)
		}
		_, err = f.s.EditCIDRRule(CommandLine, k.ID, uuid.New(), "10.0.0.0/8")
		wantCode(t, err, ENotFound)
		if after := takeSnapshot(t, f.s); !reflect.DeepEqual(before, after) {
			t.Fatal("refused rules changed the store")
		}

		second, err := f.s.AddCIDRRule(CommandLine, k.ID, "2001:db8::1")
		must(t, err)
		if second.Prefix.String() != "2001:db8::1/128" {
			t.Fatalf("bare IPv6 address stored as %s", second.Prefix)
		}
		_, err = f.s.EditCIDRRule(CommandLine, k.ID, second.ID, "203.0.113.0/24")
		wantCode(t, err, EConflict)
		edited, err := f.s.EditCIDRRule(CommandLine, k.ID, rule.ID, "198.51.100.0/24")
		must(t, err)
		if edited.ID != rule.ID || edited.Prefix.String() != "198.51.100.0/24" {
			t.Fatalf("edited rule = %+v", edited)
		}
		if _, err := f.s.Authenticate(f.accountKey, secret, other); err != nil {
			t.Fatalf("newly allowed address refused: %v", err)
		}
		if _, err := f.s.Authenticate(f.accountKey, secret, client); err != ErrSourceNotAllowed {
			t.Fatalf("no longer allowed address = %v", err)
		}
		must(t, f.s.DeleteCIDRRule(CommandLine, k.ID, rule.ID))
		must(t, f.s.DeleteCIDRRule(CommandLine, k.ID, second.ID))
		wantCode(t, f.s.DeleteCIDRRule(CommandLine, k.ID, second.ID), ENotFound)
		if _, err := f.s.Authenticate(f.accountKey, secret, client); err != nil {
			t.Fatalf("an empty list must allow every address: %v", err)
		}
		log, err := f.s.SystemLog(LogQuery{Limit: 5})
		must(t, err)
		wantLog := []string{
			"Deleted CIDR rule 2001:db8::1/128 from the allow list of API user key restricted-key; the key is now allowed from every address",
			"Deleted CIDR rule 198.51.100.0/24 from the allow list of API user key restricted-key",
			"Changed CIDR rule 203.0.113.0/24 to 198.51.100.0/24 in the allow list of API user key restricted-key",
			"Added CIDR rule 2001:db8::1/128 to the allow list of API user key restricted-key",
			"Added CIDR rule 203.0.113.0/24 to the allow list of API user key restricted-key",
		}
		for i, e := range log {
			if e.Description != wantLog[i] {
				t.Errorf("log[%d] = %q, want %q", i, e.Description, wantLog[i])
			}
		}
	})
}

func TestAllowListLimit(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		k, _ := f.createKey(t, "many-rules-key", f.owner)
		for i := range MaxCIDRRules {
			_, err := f.s.AddCIDRRule(CommandLine, k.ID, fmt.Sprintf("10.0.%d.0/24", i))
			must(t, err)
		}
		_, err := f.s.AddCIDRRule(CommandLine, k.ID, "192.0.2.0/24")
		wantCode(t, err, EInvalid)
		if !strings.Contains(err.Error(), "most it can hold") {
			t.Fatalf("error = %v", err)
		}
	})
}

func TestAPIEnableDisable(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		_, secret := f.createKey(t, "some-api-key", f.owner)
		first := f.accountKey
		if CheckAccountKeyFormat(first) != nil {
			t.Fatalf("account key %q has the wrong form", KeyHint(first))
		}
		// Enabling again changes nothing.
		_, err := f.s.SetAPIEnabled(CommandLine, true)
		must(t, err)
		if k, _ := f.s.AccountKey(CommandLine, ShowAccountKey); k != first {
			t.Fatal("enabling an enabled API changed the account key")
		}
		_, err = f.s.SetAPIEnabled(ActorFor(f.viewer), false)
		wantCode(t, err, EForbidden)
		_, err = f.s.AccountKey(ActorFor(f.viewer), ShowAccountKey)
		wantCode(t, err, EForbidden)

		acct, err := f.s.SetAPIEnabled(CommandLine, false)
		must(t, err)
		if acct.APIEnabled {
			t.Fatal("still enabled")
		}
		if _, err := f.s.Authenticate(first, secret, loopback); err != ErrAPIDisabled {
			t.Fatalf("with the API disabled: %v", err)
		}
		_, err = f.s.AccountKey(CommandLine, ShowAccountKey)
		wantCode(t, err, EConflict)

		_, err = f.s.SetAPIEnabled(CommandLine, true)
		must(t, err)
		second, err := f.s.AccountKey(CommandLine, CopyAccountKey)
		must(t, err)
		if second == first {
			t.Fatal("re-enabling did not issue a new account key")
		}
		if _, err := f.s.Authenticate(first, secret, loopback); err != ErrWrongAccountKey {
			t.Fatalf("the old account key: %v", err)
		}
		if _, err := f.s.Authenticate(second, secret, loopback); err != nil {
			t.Fatalf("the new account key: %v", err)
		}
		log, _ := f.s.SystemLog(LogQuery{Limit: 3})
		if log[0].Type != EventAccountKeyCopied || log[1].Type != EventAPIEnabled || log[2].Type != EventAPIDisabled {
			t.Fatalf("log = %+v", log)
		}
	})
}

func TestAuthenticate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		k, secret := f.createKey(t, "the-good-key", f.viewer)
		deleted, deletedSecret := f.createKey(t, "deleted-key-01", f.owner)
		must(t, f.s.DeleteUserKey(CommandLine, deleted.ID))
		other, err := NewUserKey()
		must(t, err)
		otherAccount, err := NewAccountKey()
		must(t, err)
		typo := []byte(secret)
		typo[10] = map[bool]byte{true: 'b', false: 'a'}[typo[10] == 'a']
		tests := []struct {
			name          string
			account, user string
			want          error
		}{
			{"no account key", "", secret, ErrMissingAccountKey},
			{"no user key", f.accountKey, "", ErrMissingUserKey},
			{"malformed account key", "not-a-key", secret, errAccountKeyFormat},
			{"malformed user key", f.accountKey, "secret", errUserKeyFormat},
			{"truncated user key", f.accountKey, secret[:KeyLen-2], errUserKeyFormat},
			{"mistyped user key", f.accountKey, string(typo), errUserKeyTypo},
			{"keys swapped", secret, f.accountKey, errAccountKeyFormat},
			{"another account's key", otherAccount, secret, ErrWrongAccountKey},
			{"unknown user key", f.accountKey, other, ErrUnknownUserKey},
			{"deleted user key", f.accountKey, deletedSecret, ErrUnknownUserKey},
			{"good", f.accountKey, secret, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				p, err := f.s.Authenticate(tt.account, tt.user, loopback)
				if err != tt.want {
					t.Fatalf("Authenticate = %+v, %v; want %v", p, err, tt.want)
				}
				if err != nil {
					if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), f.accountKey) {
						t.Fatal("an error echoes a secret")
					}
					return
				}
				if p.KeyID != k.ID || p.KeyName != "the-good-key" || p.UserID != f.viewer.ID || p.Role != RoleViewer || p.UserName != "Vic Viewer" {
					t.Fatalf("principal = %+v", p)
				}
				if a := p.Actor(); a.APIKeyName != "the-good-key" || a.Name != "Vic Viewer" || a.Role != RoleViewer {
					t.Fatalf("actor = %+v", a)
				}
			})
		}
	})
}

func TestLastUsedIsRecordedAndSurvivesClose(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		k, secret := f.createKey(t, "used-key-0001", f.owner)
		if got, _ := f.s.UserKey(k.ID); !got.LastUsedAt.IsZero() {
			t.Fatal("a new key has a last-used time")
		}
		f.clock.Advance(time.Minute)
		client := netip.MustParseAddr("::ffff:192.0.2.44")
		_, err := f.s.Authenticate(f.accountKey, secret, client)
		must(t, err)
		used := f.clock.Now()
		got, _ := f.s.UserKey(k.ID)
		if !got.LastUsedAt.Equal(used) || got.LastUsedFrom.String() != "192.0.2.44" {
			t.Fatalf("last used = %v from %v", got.LastUsedAt, got.LastUsedFrom)
		}
		// A refused request is remembered apart, for the console to offer.
		_, err = f.s.AddCIDRRule(CommandLine, k.ID, "10.0.0.0/8")
		must(t, err)
		f.clock.Advance(time.Minute)
		_, err = f.s.Authenticate(f.accountKey, secret, netip.MustParseAddr("198.51.100.20"))
		if err != ErrSourceNotAllowed {
			t.Fatal(err)
		}
		s := reopen(t, f) // Close flushes: nothing is lost on a clean shutdown.
		got, _ = s.UserKey(k.ID)
		if !got.LastUsedAt.Equal(used) || got.LastUsedFrom.String() != "192.0.2.44" {
			t.Fatalf("after reopening, last used = %v from %v", got.LastUsedAt, got.LastUsedFrom)
		}
		if seen, ok := got.LastSeenFrom(); !ok || seen.String() != "198.51.100.20" {
			t.Fatalf("LastSeenFrom = %v, %v", seen, ok)
		}
	})
}

// downBackend's commits fail as a shared store out of reach would while
// down is set.
type downBackend struct {
	Backend
	down atomic.Bool
}

func (b *downBackend) Commit(expect Rev, ops []Op) (Rev, error) {
	if b.down.Load() {
		return 0, &Error{Code: EUnavailable, Err: ErrUnreachable, Message: "The shared store test:1 is unreachable."}
	}
	return b.Backend.Commit(expect, ops)
}

// TestCloseWaitsForAStoreOutOfReach: Close saves last-used times in a
// store that comes back within a few seconds, and says how many it lost
// when it does not.
func TestCloseWaitsForAStoreOutOfReach(t *testing.T) {
	for _, back := range []bool{true, false} {
		var down *downBackend
		st, s := openThrough(t, diskStorage(t, ""), func(b Backend) Backend { down = &downBackend{Backend: b}; return down })
		f := setUpFixture(t, st, s, nil)
		_, secret := f.createKey(t, "used-key-0001", f.owner)
		_, err := s.Authenticate(f.accountKey, secret, loopback)
		must(t, err)
		down.down.Store(true)
		if back {
			time.AfterFunc(200*time.Millisecond, func() { down.down.Store(false) })
			must(t, s.Close())
			s, err := st.open(Options{})
			must(t, err)
			if k, _ := s.UserKeyByName("used-key-0001"); k.LastUsedAt.IsZero() {
				t.Fatal("the last use was not saved once the store was back")
			}
			s.Close()
			continue
		}
		defer func(p time.Duration) { closeFlushPatience = p }(closeFlushPatience)
		closeFlushPatience = 100 * time.Millisecond
		err = s.Close()
		if want := "The last use of 1 key since the last save could not be saved before closing, and is lost: The shared store test:1 is unreachable."; ErrorMessage(err) != want {
			t.Fatalf("Close = %q, want %q", ErrorMessage(err), want)
		}
	}
}

func TestLastUsedIsFlushedInBatches(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		clock := clocktest.New()
		s, err := st.open(Options{Now: clock.Now, FlushInterval: 20 * time.Millisecond})
		must(t, err)
		defer s.Close()
		f := setUpFixture(t, st, s, clock)
		_, secret := f.createKey(t, "batched-key-01", f.owner)
		flushed := make(chan struct{}, 10)
		defer s.Subscribe(func(c Change) {
			if c.Kind == ChangeLastUsed {
				flushed <- struct{}{}
			}
		})()
		_, err = s.Authenticate(f.accountKey, secret, loopback)
		must(t, err)
		select {
		case <-flushed:
		case <-time.After(10 * time.Second):
			t.Fatal("last-used times were not written by the background flush")
		}
	})
}

func TestSubscribe(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		var got []ChangeKind
		cancel := f.s.Subscribe(func(c Change) { got = append(got, c.Kind) })
		k, _ := f.createKey(t, "notified-key-1", f.owner)
		if !reflect.DeepEqual(got, []ChangeKind{ChangeKeys, ChangeSystemLog, ChangeUsers}) {
			t.Fatalf("changes = %v", got)
		}
		got = nil
		_, err := f.s.AddCIDRRule(CommandLine, k.ID, "bad")
		wantCode(t, err, EInvalid)
		if got != nil {
			t.Fatalf("a refused change notified %v", got)
		}
		cancel()
		must(t, f.s.DeleteUserKey(CommandLine, k.ID))
		if got != nil {
			t.Fatalf("notified after cancel: %v", got)
		}
	})
}

func TestSignIn(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		pw := "logs viewer password"
		_, err := f.s.UpdateUser(CommandLine, f.logsViewer.ID, UserChange{Password: &pw})
		must(t, err)
		client := SessionClient{UserAgent: "Keyward test", IPAddress: "local"}
		u, err := f.s.SignIn("ADA@example.com", testPassword, client)
		must(t, err)
		if u.ID != f.owner.ID {
			t.Fatalf("signed in as %+v", u)
		}
		_, errWrong := f.s.SignIn("ada@example.com", "wrong password!", client)
		_, errUnknown := f.s.SignIn("nobody@example.com", testPassword, client)
		_, errNoPassword := f.s.SignIn("vic@example.com", "", client) // Vic has no password
		for _, err := range []error{errWrong, errUnknown, errNoPassword} {
			if err != errWrongPassword {
				t.Fatalf("failed sign-in = %v", err)
			}
		}
		_, err = f.s.SignIn("lou@example.com", pw, client)
		wantCode(t, err, EForbidden)
		if !strings.Contains(err.Error(), "cannot sign in") {
			t.Fatal(err)
		}
		log, err := f.s.SessionLog(LogQuery{})
		must(t, err)
		actions := []string{SignInRefusedLogsViewer, SignInFailed, SignInFailed, SignInFailed, SignInSucceeded}
		if len(log) != len(actions) {
			t.Fatalf("session log = %+v", log)
		}
		for i, e := range log {
			if e.Action != actions[i] || e.UserAgent != "Keyward test" || e.Type != EventSignIn {
				t.Errorf("session log[%d] = %+v, want %s", i, e, actions[i])
			}
			if strings.Contains(fmt.Sprint(e), testPassword) || strings.Contains(fmt.Sprint(e), pw) {
				t.Fatal("a password is in the session log")
			}
		}
		if log[4].UserRole != "Owner" || log[4].User != "ada@example.com" || log[2].User != "nobody@example.com" {
			t.Fatalf("session log = %+v", log)
		}
	})
}

func TestLogQueries(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		start := f.clock.Now()
		for i := range 5 {
			f.clock.Advance(time.Hour)
			f.createKey(t, fmt.Sprintf("log-query-key-%d", i), f.viewer)
		}
		all, err := f.s.SystemLog(LogQuery{Limit: 1000})
		must(t, err)
		for i := 1; i < len(all); i++ {
			if all[i-1].ID <= all[i].ID || all[i-1].Time.Before(all[i].Time) {
				t.Fatal("the log is not newest first")
			}
		}
		page, err := f.s.SystemLog(LogQuery{Offset: 1, Limit: 2})
		must(t, err)
		if len(page) != 2 || page[0].ID != all[1].ID || page[1].ID != all[2].ID {
			t.Fatalf("offset 1 limit 2 = %+v", page)
		}
		byText, err := f.s.SystemLog(LogQuery{Text: "LOG-QUERY-KEY-3"})
		must(t, err)
		if len(byText) != 1 || !strings.Contains(byText[0].Description, "log-query-key-3") {
			t.Fatalf("text filter = %+v", byText)
		}
		window, err := f.s.SystemLog(LogQuery{Since: start.Add(2 * time.Hour), Until: start.Add(3 * time.Hour)})
		must(t, err)
		if len(window) != 2 {
			t.Fatalf("time window = %+v", window)
		}
		byUser, err := f.s.SystemLog(LogQuery{ResourceID: f.viewer.ID, Limit: 1000})
		must(t, err)
		if len(byUser) != 6 { // added to the team, then five keys
			t.Fatalf("resource filter = %d entries", len(byUser))
		}
		for _, q := range []LogQuery{{Offset: -1}, {Limit: -1}, {Since: start, Until: start.Add(-time.Second)}} {
			_, err := f.s.SystemLog(q)
			wantCode(t, err, EInvalid)
		}
	})
}

func TestSecondOpenIsRefusedAndHarmsNothing(t *testing.T) {
	f := newFixture(t, diskStorage(t, ""))
	_, secret := f.createKey(t, "held-dir-key1", f.owner)
	before := takeSnapshot(t, f.s)
	s2, err := f.st.open(Options{})
	if err == nil {
		s2.Close()
		t.Fatal("a held data directory opened twice")
	}
	if !errors.Is(err, ErrInUse) || ErrorCode(err) != EConflict || !strings.Contains(err.Error(), "in use by another Keyward") {
		t.Fatalf("second Open = %v", err)
	}
	if after := takeSnapshot(t, f.s); !reflect.DeepEqual(before, after) {
		t.Fatal("the refused open changed the store")
	}
	if _, err := f.s.Authenticate(f.accountKey, secret, loopback); err != nil {
		t.Fatalf("the first store stopped working: %v", err)
	}
	f.createKey(t, "after-refusal1", f.owner)
	s := reopen(t, f)
	if len(s.UserKeys()) != 2 {
		t.Fatal("keys lost")
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		k, secret := f.createKey(t, "persisted-key-1", f.viewer)
		_, err := f.s.AddCIDRRule(CommandLine, k.ID, "192.0.2.0/24")
		must(t, err)
		_, err = f.s.SignIn("ada@example.com", testPassword, SessionClient{})
		must(t, err)
		before := takeSnapshot(t, f.s)
		sessions, _ := f.s.SessionLog(LogQuery{})
		s := reopen(t, f)
		if after := takeSnapshot(t, s); !reflect.DeepEqual(before, after) {
			t.Fatalf("reopening changed the store:\n%+v\n%+v", before, after)
		}
		if again, _ := s.SessionLog(LogQuery{}); !reflect.DeepEqual(sessions, again) {
			t.Fatal("the session log changed")
		}
		if _, err := s.Authenticate(f.accountKey, secret, netip.MustParseAddr("192.0.2.7")); err != nil {
			t.Fatalf("after reopening, the key does not authenticate: %v", err)
		}
		if _, err := s.SignIn("ada@example.com", testPassword, SessionClient{}); err != nil {
			t.Fatalf("after reopening, the password does not work: %v", err)
		}
		// New ids keep increasing across a reopen.
		k2, _ := f.createKey(t, "persisted-key-2", f.viewer)
		log, _ := s.SystemLog(LogQuery{Limit: 1})
		if log[0].ID <= before.Log[0].ID || k2.ID == k.ID {
			t.Fatal("ids went back after reopening")
		}
	})
}

func TestAccountKeyWithoutSealFile(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		_, secret := f.createKey(t, "seal-test-key", f.owner)
		must(t, f.s.Close())
		must(t, removeFile(f.st.dir, sealFileName))
		s, _ := MustOpen(t, f.st)
		_, err := s.AccountKey(CommandLine, ShowAccountKey)
		if s.shared() {
			// Other machines have a copy (TestEnableAPIKeepsTheAccountsSealKey).
			if err == nil || !strings.Contains(err.Error(), "this machine has no copy of the account's seal key file") {
				t.Fatalf("AccountKey without a seal key = %v", err)
			}
			return
		}
		if err == nil || !strings.Contains(err.Error(), "Disable and re-enable the API") {
			t.Fatalf("AccountKey without a seal key = %v", err)
		}
		if _, err := s.Authenticate(f.accountKey, secret, loopback); err != ErrWrongAccountKey {
			t.Fatalf("Authenticate without a seal key = %v", err)
		}
		_, err = s.SetAPIEnabled(CommandLine, false)
		must(t, err)
		_, err = s.SetAPIEnabled(CommandLine, true)
		must(t, err)
		key, err := s.AccountKey(CommandLine, ShowAccountKey)
		must(t, err)
		if _, err := s.Authenticate(key, secret, loopback); err != nil {
			t.Fatalf("after re-enabling: %v", err)
		}
	})
}

func TestClosedStore(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		must(t, f.s.Close())
		must(t, f.s.Close())
		_, err := f.s.AddUser(CommandLine, NewUser{Name: "Late", Email: "late@example.com", Role: RoleViewer})
		if err != errClosed {
			t.Fatalf("change on a closed store = %v", err)
		}
		if _, err := f.s.SystemLog(LogQuery{}); err != errClosed {
			t.Fatalf("log read on a closed store = %v", err)
		}
	})
}

// TestUserWithMostKeys fills one user's key allowance and deletes the user:
// the deletion of every key must fit in the one transaction.
func TestUserWithMostKeys(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		for i := range MaxKeysPerUser {
			f.createKey(t, fmt.Sprintf("allowance-key-%04d", i), f.viewer)
		}
		_, _, err := f.s.CreateUserKey(CommandLine, "one-key-too-many", f.viewer.ID)
		wantCode(t, err, EConflict)
		if !strings.Contains(err.Error(), "the most one user can own") {
			t.Fatal(err)
		}
		n, err := f.s.DeleteUser(CommandLine, f.viewer.ID)
		must(t, err)
		if n != MaxKeysPerUser || len(f.s.UserKeys()) != 0 {
			t.Fatalf("deleted %d keys, %d left", n, len(f.s.UserKeys()))
		}
	})
}

func TestOwnUserRules(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		owner, pw := RoleOwner, "a console password for vic"
		second, err := f.s.UpdateUser(CommandLine, f.viewer.ID, UserChange{Role: &owner, Password: &pw})
		must(t, err)
		viewer := RoleViewer
		_, err = f.s.UpdateUser(ActorFor(second), second.ID, UserChange{Role: &viewer})
		if !errors.Is(err, ErrOwnRole) || ErrorCode(err) != EConflict {
			t.Fatalf("changing one's own role = %v", err)
		}
		name := "Vic the Owner"
		if _, err := f.s.UpdateUser(ActorFor(second), second.ID, UserChange{Name: &name}); err != nil {
			t.Fatalf("changing one's own name = %v", err)
		}
		_, err = f.s.DeleteUser(ActorFor(second), second.ID)
		if !errors.Is(err, ErrOwnUser) {
			t.Fatalf("deleting oneself = %v", err)
		}
		_, err = f.s.DeleteUser(ActorFor(second), f.owner.ID)
		must(t, err)
		_, err = f.s.UpdateUser(CommandLine, second.ID, UserChange{Role: &viewer})
		if !errors.Is(err, ErrLastOwner) {
			t.Fatalf("demoting the last Owner = %v", err)
		}
	})
}

func TestUserKeysAreListedByName(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		names := []string{"zulu-key-0001", "Alpha-key-001", "mike-key-0001", "bravo-key-001", "Yankee-key-01", "charlie-key-1"}
		ids := map[string]uuid.UUID{}
		for _, n := range names {
			k, _ := f.createKey(t, n, f.owner)
			ids[n] = k.ID
		}
		must(t, f.s.DeleteUserKey(CommandLine, ids["mike-key-0001"]))
		want := []string{"Alpha-key-001", "bravo-key-001", "charlie-key-1", "Yankee-key-01", "zulu-key-0001"}
		check := func(s *Store) {
			t.Helper()
			var got []string
			for _, k := range s.UserKeys() {
				got = append(got, k.Name)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("UserKeys order = %v, want %v", got, want)
			}
		}
		check(f.s)
		check(reopen(t, f))
	})
}

func TestRemovePassword(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		owner := ActorFor(f.owner)
		vicPassword := "a password for vic"
		_, err := f.s.UpdateUser(owner, f.viewer.ID, UserChange{Password: &vicPassword})
		must(t, err)
		u, err := f.s.UpdateUser(owner, f.viewer.ID, UserChange{RemovePassword: true})
		must(t, err)
		if u.HasPassword {
			t.Fatal("the password is still there")
		}
		if _, err := f.s.SignIn("vic@example.com", vicPassword, SessionClient{}); err == nil {
			t.Fatal("a user without a password signed in")
		}
		log, err := f.s.SystemLog(LogQuery{Limit: 1})
		must(t, err)
		if want := "Vic Viewer (vic@example.com)'s console password was removed"; log[0].Description != want {
			t.Fatalf("log = %q", log[0].Description)
		}
		// Removing it again changes nothing and logs nothing.
		_, err = f.s.UpdateUser(owner, f.viewer.ID, UserChange{RemovePassword: true})
		must(t, err)
		if again, _ := f.s.SystemLog(LogQuery{Limit: 1}); again[0].ID != log[0].ID {
			t.Fatal("an empty change was logged")
		}
		// Not one's own; not the last Owner's who can sign in.
		_, err = f.s.UpdateUser(owner, f.owner.ID, UserChange{RemovePassword: true})
		wantCode(t, err, EConflict)
		_, err = f.s.UpdateUser(CommandLine, f.owner.ID, UserChange{RemovePassword: true})
		wantCode(t, err, EConflict)
		pw := "a new password for vic"
		_, err = f.s.UpdateUser(owner, f.viewer.ID, UserChange{RemovePassword: true, Password: &pw})
		wantCode(t, err, EInvalid)
		if u, _ := f.s.User(f.owner.ID); !u.HasPassword {
			t.Fatal("a refused removal took the Owner's password")
		}
	})
}

// TestKeyList: the list holds the keys in UserKeys' order, reads each as
// UserKeys would, reads a key as it is when asked, and tells which keys
// change with the clock.
func TestKeyList(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		for _, n := range []string{"zulu-key-0001", "Alpha-key-001", "mike-key-0001"} {
			f.createKey(t, n, f.owner)
		}
		rolled, _ := f.createKey(t, "rolled-key-01", f.viewer)
		_, _, err := f.s.RollUserKey(CommandLine, rolled.ID, time.Hour)
		must(t, err)
		list, keys := f.s.KeyList(), f.s.UserKeys()
		if list.Len() != len(keys) {
			t.Fatalf("KeyList has %d keys, UserKeys %d", list.Len(), len(keys))
		}
		for i, k := range keys {
			if got := list.At(i); !reflect.DeepEqual(got, k) || list.ID(i) != k.ID {
				t.Fatalf("KeyList.At(%d) = %+v, UserKeys has %+v", i, got, k)
			}
		}
		if timed := list.Timed(); len(timed) != 1 || list.ID(timed[0]) != rolled.ID {
			t.Fatalf("Timed = %v, want only the rolled key", timed)
		}
		// A change after the list was taken shows in At.
		_, err = f.s.AddCIDRRule(CommandLine, keys[0].ID, "10.0.0.0/8")
		must(t, err)
		if got := list.At(0).AllowList.Strings(); len(got) != 1 || got[0] != "10.0.0.0/8" {
			t.Fatalf("At after a change = %v", got)
		}
		if empty := (KeyList{}); empty.Len() != 0 || empty.Timed() != nil {
			t.Fatal("the zero KeyList is not empty")
		}
	})
}

// TestLastSignInCountsTheChangedUser: a change that makes a user an Owner
// and removes their password in one go is judged by what it leaves, not by
// the user's role before it.
func TestLastSignInCountsTheChangedUser(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		owner, pw := RoleOwner, "a console password for vic"
		_, err := f.s.UpdateUser(CommandLine, f.viewer.ID, UserChange{Password: &pw})
		must(t, err)
		// Vic becomes an Owner without a password: Ada still signs in.
		vic, err := f.s.UpdateUser(ActorFor(f.owner), f.viewer.ID, UserChange{Role: &owner, RemovePassword: true})
		must(t, err)
		if vic.Role != RoleOwner || vic.HasPassword {
			t.Fatalf("after the change Vic is %+v", vic)
		}
		// Ada cannot lose her password while Vic has none; once he has
		// one, she can.
		_, err = f.s.UpdateUser(CommandLine, f.owner.ID, UserChange{Role: &owner, RemovePassword: true})
		wantCode(t, err, EConflict)
		_, err = f.s.UpdateUser(CommandLine, vic.ID, UserChange{Password: &pw})
		must(t, err)
		_, err = f.s.UpdateUser(CommandLine, f.owner.ID, UserChange{RemovePassword: true})
		must(t, err)
	})
}

// TestDamagedKeyRecordFailsTheOpen: a key record that cannot be read, in
// the middle of hundreds read ahead in batches, makes opening the store
// fail with a message, rather than hang or leave the key out.
func TestDamagedKeyRecordFailsTheOpen(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st *storage) {
		f := newFixture(t, st)
		var ids []uuid.UUID
		for i := range 700 {
			k, _ := f.createKey(t, fmt.Sprintf("damaged-test-key-%03d", i), f.viewer)
			ids = append(ids, k.ID)
		}
		must(t, f.s.Close())
		b, err := st.backend.Open(st.dir)
		must(t, err)
		_, err = b.Commit(AnyRev, []Op{{Key: uuidKey(prefixKey, ids[450]), Value: []byte(`{"v":2,"id":"not a uuid"`)}})
		must(t, err)
		must(t, b.Close())
		s, err := st.open(Options{})
		if err == nil {
			s.Close()
			t.Fatal("a store with a damaged key record opened")
		}
		if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "stored record") || !strings.Contains(err.Error(), "keyward restore") {
			t.Fatalf("opening a store with a damaged key record: %v; want it to say a stored record is damaged and how to restore a backup", err)
		}
	})
}
